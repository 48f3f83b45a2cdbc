package training

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"sdapipe/nets/resmlp"
)

// sameWeights fails unless a and b hold the same bits in every parameter.
func sameWeights(t *testing.T, a, b *resmlp.Net) {
	t.Helper()
	for i, p := range a.Params() {
		q := b.Params()[i]
		for j := range p.Data {
			if math.Float32bits(p.Data[j]) != math.Float32bits(q.Data[j]) {
				t.Fatalf("%s[%d]: %v vs %v", p.Name, j, p.Data[j], q.Data[j])
			}
		}
	}
}

// TestResumeIsBitIdentical stops a run by cancelling it (the checkpoint
// hook gets the state at the step it stopped), encodes and decodes the
// state, resumes on a fresh network, and compares weights and the loss
// curve with an uninterrupted run. A stop in the middle of a curve
// interval checks that the running training-loss mean survives too.
func TestResumeIsBitIdentical(t *testing.T) {
	const steps = 40
	want, wantCurve := run(t, steps)
	train, valid := lorenzData(t, 24, 128, 1), lorenzData(t, 8, 128, 2)
	for _, stopAt := range []int{1, 13, 20, 39} {
		ctx, cancel := context.WithCancel(context.Background())
		var saved []byte
		opt := tinyOptions(steps)
		opt.Checkpoint = func(st *State) error {
			b, err := st.MarshalBinary()
			saved = b
			return err
		}
		_, err := Train(ctx, tinyNet(t, 3, 5), train, valid, opt, rand.NewPCG(3, 3), rand.New(rand.NewPCG(4, 4)),
			func(step int, _ float64) {
				if step == stopAt {
					cancel()
				}
			})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("stop at %d: err %v, want context.Canceled", stopAt, err)
		}
		st, err := UnmarshalState(saved)
		if err != nil {
			t.Fatal(err)
		}
		if st.Step != stopAt {
			t.Fatalf("saved at step %d, want %d", st.Step, stopAt)
		}
		opt = tinyOptions(steps)
		opt.Resume = st
		// Different initial weights and stream positions: the state must
		// replace them all.
		got := tinyNet(t, 3, 99)
		var firstStep int
		curve, err := Train(context.Background(), got, train, valid, opt, rand.NewPCG(7, 7), rand.New(rand.NewPCG(4, 4)),
			func(step int, _ float64) {
				if firstStep == 0 {
					firstStep = step
				}
			})
		if err != nil {
			t.Fatal(err)
		}
		if firstStep != stopAt+1 {
			t.Errorf("resumed at step %d, want %d", firstStep, stopAt+1)
		}
		sameWeights(t, want, got)
		if !reflect.DeepEqual(curve, wantCurve) {
			t.Errorf("stop at %d: curve %+v, want %+v", stopAt, curve, wantCurve)
		}
	}
}

// TestCheckpointEvery: with a zero-length interval every step after the
// first saves; each saved state is at the step it says.
func TestCheckpointEvery(t *testing.T) {
	opt := tinyOptions(8)
	var steps []int
	opt.CheckpointEvery = time.Nanosecond
	opt.Checkpoint = func(st *State) error {
		steps = append(steps, st.Step)
		if st.AdamSteps != st.Step {
			t.Errorf("state at step %d has %d optimiser steps", st.Step, st.AdamSteps)
		}
		return nil
	}
	if _, err := Train(context.Background(), tinyNet(t, 3, 1), lorenzData(t, 4, 16, 1), lorenzData(t, 2, 16, 2), opt,
		rand.NewPCG(1, 1), rand.New(rand.NewPCG(2, 2)), nil); err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 2, 3, 4, 5, 6, 7}; !reflect.DeepEqual(steps, want) {
		t.Errorf("checkpoints at steps %v, want %v", steps, want)
	}
	opt.Checkpoint = func(*State) error { return errors.New("disk full") }
	_, err := Train(context.Background(), tinyNet(t, 3, 1), lorenzData(t, 4, 16, 1), lorenzData(t, 2, 16, 2), opt,
		rand.NewPCG(1, 1), rand.New(rand.NewPCG(2, 2)), nil)
	if err == nil || err.Error() != "training: checkpoint at step 1: disk full" {
		t.Errorf("a failing checkpoint gave %v", err)
	}
}

// TestStateRefusesDamage: a truncated or altered encoding, or a state of
// another model, is an error, never a resume.
func TestStateRefusesDamage(t *testing.T) {
	opt := tinyOptions(8)
	var saved []byte
	opt.CheckpointEvery = time.Nanosecond
	opt.Checkpoint = func(st *State) error {
		var err error
		saved, err = st.MarshalBinary()
		return err
	}
	train, valid := lorenzData(t, 4, 16, 1), lorenzData(t, 2, 16, 2)
	if _, err := Train(context.Background(), tinyNet(t, 3, 1), train, valid, opt, rand.NewPCG(1, 1), rand.New(rand.NewPCG(2, 2)), nil); err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), saved...)
	flipped[len(flipped)/2] ^= 1
	for name, b := range map[string][]byte{
		"truncated": saved[:len(saved)-1],
		"flipped":   flipped,
		"empty":     nil,
		"other":     []byte("sdapipe training state 2\n" + string(saved[25:])),
	} {
		if _, err := UnmarshalState(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	st, err := UnmarshalState(saved)
	if err != nil {
		t.Fatal(err)
	}
	// A wider network has parameters of other sizes.
	cfg := resmlp.Config{Features: 9, Width: 32, Depth: 2, Embed: 16, EmbedHidden: 64, Freqs: 16}
	other, err := resmlp.NewNet(cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	opt = tinyOptions(8)
	opt.Resume = st
	if _, err := Train(context.Background(), other, train, valid, opt, rand.NewPCG(1, 1), rand.New(rand.NewPCG(2, 2)), nil); err == nil {
		t.Error("resumed a state of another network")
	}
	opt = tinyOptions(4)
	opt.Resume = st
	if _, err := Train(context.Background(), tinyNet(t, 3, 1), train, valid, opt, rand.NewPCG(1, 1), rand.New(rand.NewPCG(2, 2)), nil); err == nil {
		t.Error("resumed a state past the run's last step")
	}
}
