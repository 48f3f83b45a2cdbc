package stages_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sdapipe/pipeline"
	"sdapipe/stage"
	"sdapipe/stages"
)

// stopAt is a progress report that cancels the run once the train stage
// has done n steps.
type stopAt struct {
	n, done int64
	cancel  func()
}

func (p *stopAt) Add(k int64) {
	if p.done += k; p.done >= p.n {
		p.cancel()
	}
}
func (p *stopAt) Status(string) {}
func (p *stopAt) Done()         {}

const checkpointStudy = `seed = 5
simulate "l63" {
  trajectories = 20
  burn_in      = 64
  length       = 32
}
train "k2" {
  data          = simulate.l63
  window        = 5
  batch         = 16
  steps         = 60
  valid_every   = 20
  valid_windows = 32
  check_samples = 8
  check_steps   = 4
  resmlp {
    width = 32
    depth = 1
  }
}
`

// TestTrainResumesFromCheckpoint: a train stage interrupted (Ctrl-C) in
// the middle of its steps leaves a checkpoint and no record; the next run
// says it resumes, trains only the remaining steps and stores the weights,
// loss curve and check of an uninterrupted run, byte for byte, then
// removes the checkpoint. --force ignores a checkpoint.
func TestTrainResumesFromCheckpoint(t *testing.T) {
	want := runPipeline(t, t.TempDir(), checkpointStudy)

	dir := t.TempDir()
	cfg, diags := pipeline.Load(stages.Default(), "pipeline.hcl", dir, []byte(checkpointStudy), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ws, err := pipeline.OpenWorkspace(filepath.Join(dir, "ws"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := &stopAt{n: 25, cancel: cancel}
	progress := func(addr, label string, total int64) stage.Progress {
		if addr != "train.k2" || label != "train" {
			return &countSteps{}
		}
		return stop
	}
	if _, err := (&pipeline.Runner{Config: cfg, WS: ws, Jobs: 1, Progress: progress}).Run(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v, want context.Canceled", err)
	}
	if rec, _ := ws.Latest("train.k2"); rec != nil {
		t.Fatal("the interrupted train stage has a record")
	}
	ckDir := filepath.Join(dir, "ws", "checkpoints")
	ents, _ := os.ReadDir(ckDir)
	if len(ents) != 1 {
		t.Fatalf("%d files in checkpoints/ after the interruption, want 1", len(ents))
	}
	ckPath := filepath.Join(ckDir, ents[0].Name())
	saved, err := os.ReadFile(ckPath)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := cfg.Status(ws, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !hasReason(ds, "train.k2", "it resumes from there") {
		t.Errorf("status does not say train.k2 resumes: %+v", ds)
	}

	counter := &countSteps{}
	progress = func(addr, label string, total int64) stage.Progress {
		if addr != "train.k2" || label != "train" {
			return &countSteps{}
		}
		return counter
	}
	res, err := (&pipeline.Runner{Config: cfg, WS: ws, Jobs: 1, Progress: progress}).Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Addr, r.Err)
		}
	}
	if counter.first != 25 {
		t.Errorf("the resumed run's progress started with %d steps done, want 25", counter.first)
	}
	got := study{cfg: cfg, ws: ws}
	for _, out := range []string{"weights", "losses", "check", "network"} {
		_, a := want.output(t, "train.k2", out)
		_, b := got.output(t, "train.k2", out)
		if a != b {
			t.Errorf("%s of the resumed run differs from an uninterrupted run's", out)
		}
	}
	if ents, _ := os.ReadDir(ckDir); len(ents) != 0 {
		t.Errorf("%d files left in checkpoints/ after the stage finished", len(ents))
	}

	// gc removes the checkpoint of a stage that finished.
	if err := os.WriteFile(ckPath, saved, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := ws.GC(false, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(ckPath); rep.Checkpoints != 1 || rep.CheckpointBytes != int64(len(saved)) || err == nil {
		t.Errorf("gc removed %d checkpoints (%d bytes), the file: %v", rep.Checkpoints, rep.CheckpointBytes, err)
	}

	// --force starts over, whatever checkpoint there is.
	if err := os.WriteFile(ckPath, saved, 0o644); err != nil {
		t.Fatal(err)
	}
	counter = &countSteps{}
	r := &pipeline.Runner{Config: cfg, WS: ws, Jobs: 1, Progress: progress, Force: map[string]bool{"train.k2": true}}
	if _, err := r.Run(context.Background(), []string{"train.k2"}); err != nil {
		t.Fatal(err)
	}
	if counter.first != 1 {
		t.Errorf("a forced run's progress started with %d steps done, want 1", counter.first)
	}
	if _, err := os.Lstat(ckPath); err == nil {
		t.Error("a forced run left the checkpoint")
	}
}

// countSteps records how many steps were reported done in the first call.
type countSteps struct {
	first int64
	calls int
}

func (c *countSteps) Add(k int64) {
	if c.calls == 0 {
		c.first = k
	}
	c.calls++
}
func (c *countSteps) Status(string) {}
func (c *countSteps) Done()         {}

func hasReason(ds []pipeline.Decision, addr, sub string) bool {
	for _, d := range ds {
		if d.Addr != addr {
			continue
		}
		for _, r := range d.Reasons {
			if strings.Contains(r, sub) {
				return true
			}
		}
	}
	return false
}
