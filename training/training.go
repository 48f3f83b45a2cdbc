// Package training fits a local score network by denoising score matching
// (SDA, Rozet & Louppe 2023, §3.1 and Algorithm 1; docs/method.md §2.2, §2.9,
// §3) and checks what it learned by sampling windows unconditionally.
//
// Data are float32 trajectories (n, L, D) in standardised units, row-major.
// Randomness comes from explicit streams; the same streams and options give
// bit-identical weights (the network's kernels use fixed work splits, so
// GOMAXPROCS does not matter either). A run can be stopped and resumed from
// a State (weights, optimiser moments, the batch stream's position, the
// loss curve so far) with the same bits as an uninterrupted one.
package training

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"sdapipe/diffusion"
	"sdapipe/nets"
	"sdapipe/nn"
)

// A Dataset is a set of trajectories (N, L, D), row-major.
type Dataset struct {
	Data    []float32
	N, L, D int
}

// Validate checks the dataset's layout.
func (d Dataset) Validate() error {
	if d.N < 1 || d.L < 1 || d.D < 1 || len(d.Data) != d.N*d.L*d.D {
		return fmt.Errorf("training: dataset of %d values is not (%d, %d, %d)", len(d.Data), d.N, d.L, d.D)
	}
	return nil
}

// Options configures a training run. The defaults of docs/method.md §0 are lr 1e-3,
// weight decay 1e-3, batch 256, window 5.
type Options struct {
	Window      int // states per training window, 2k+1
	Batch       int
	Steps       int
	LR          float64 // peak learning rate, decayed linearly to 0 (docs/method.md §3)
	WeightDecay float64
	// ValidEvery is the number of steps between validation losses; the
	// last step is always validated.
	ValidEvery int
	// ValidWindows is the number of fixed validation windows, each with
	// its own fixed t and ε, so that validation losses compare across runs.
	ValidWindows int
	Sched        diffusion.Schedule

	// Resume, when not nil, is the state of an earlier run of the same
	// training (same model, data, options and streams) to continue from;
	// the result is bit-identical to an uninterrupted run.
	Resume *State
	// Checkpoint, when not nil, is handed the run's state every
	// CheckpointEvery of wall time (after the step that crosses it) and
	// when ctx is cancelled, so that a killed or interrupted run can be
	// resumed. An error from it stops training.
	Checkpoint      func(*State) error
	CheckpointEvery time.Duration
}

// Validate checks the options against a model's event size, for states of
// dim values.
func (o Options) Validate(m nets.Model, dim int) error {
	switch {
	case o.Window < 1 || o.Window*dim != nets.EventSize(m):
		return fmt.Errorf("training: window %d × %d values per state does not match the network's events of %v",
			o.Window, dim, m.EventShape())
	case o.Batch < 1 || o.Steps < 1 || o.ValidEvery < 1 || o.ValidWindows < 1:
		return fmt.Errorf("training: batch %d, steps %d, valid every %d, valid windows %d: all must be positive",
			o.Batch, o.Steps, o.ValidEvery, o.ValidWindows)
	case !(o.LR > 0) || o.WeightDecay < 0:
		return fmt.Errorf("training: learning rate %g must be positive and weight decay %g non-negative", o.LR, o.WeightDecay)
	case o.Sched == nil:
		return errors.New("training: no schedule")
	}
	return nil
}

// A Point is one row of the loss curve: the learning rate at the step,
// the mean training loss over the steps since the previous point, and the
// validation loss after the step.
type Point struct {
	Step      int
	LR        float64
	TrainLoss float64
	ValidLoss float64
}

// Progress is told about each finished step and its batch loss.
type Progress func(step int, loss float64)

// Train runs opt.Steps AdamW steps on m. Each step draws opt.Batch
// windows uniformly from all sliding windows of train, then t and ε
// (diffusion.SampleWindows and Perturb), from the batches stream. The
// validation set is drawn once from validRNG. Train stops with ctx.Err()
// when ctx is cancelled (after handing opt.Checkpoint the state), and with
// an error naming the step if the loss is not finite. With opt.Resume it
// continues a saved run from its step; progress is told about the steps
// that remain.
func Train(ctx context.Context, m nets.Model, train, valid Dataset, opt Options, batches *rand.PCG, validRNG *rand.Rand, progress Progress) ([]Point, error) {
	if err := errors.Join(train.Validate(), valid.Validate(), opt.Validate(m, train.D)); err != nil {
		return nil, err
	}
	if valid.D != train.D {
		return nil, fmt.Errorf("training: valid set has %d variables, train set %d", valid.D, train.D)
	}
	f := nets.EventSize(m)
	vs, err := newValidSet(valid, opt, validRNG)
	if err != nil {
		return nil, err
	}
	tr := nn.NewTrainer(m, opt.LR, opt.WeightDecay)
	x := make([]float32, opt.Batch*f)
	xt := make([]float32, opt.Batch*f)
	eps := make([]float32, opt.Batch*f)
	ts := make([]float32, opt.Batch)

	var curve []Point
	var sum float64
	var count int
	first := 0
	if st := opt.Resume; st != nil {
		if err := st.Fits(m, opt.Steps); err != nil {
			return nil, err
		}
		if err := st.restore(tr, batches); err != nil {
			return nil, err
		}
		first, curve, sum, count = st.Step, append(curve, st.Curve...), st.Sum, st.Count
	}
	rng := rand.New(batches)
	save := func(step int) error {
		if err := opt.Checkpoint(capture(tr, batches, step, curve, sum, count)); err != nil {
			return fmt.Errorf("training: checkpoint at step %d: %w", step, err)
		}
		return nil
	}
	lastSave := time.Now()
	for step := first; step < opt.Steps; step++ {
		if err := ctx.Err(); err != nil {
			if opt.Checkpoint != nil && step > first {
				if serr := save(step); serr != nil {
					return curve, errors.Join(err, serr)
				}
			}
			return curve, err
		}
		if opt.Checkpoint != nil && opt.CheckpointEvery > 0 && step > first && time.Since(lastSave) >= opt.CheckpointEvery {
			if err := save(step); err != nil {
				return curve, err
			}
			lastSave = time.Now()
		}
		if err := diffusion.SampleWindows(x, train.Data, train.N, train.L, train.D, opt.Window, rng); err != nil {
			return curve, fmt.Errorf("training: %w", err)
		}
		diffusion.Perturb(xt, eps, x, ts, f, opt.Sched, rng)
		lr := nn.LinearDecay(opt.LR, step, opt.Steps)
		loss, err := tr.Step(xt, ts, eps, opt.Batch, lr)
		if err != nil {
			return curve, fmt.Errorf("training: step %d: %w", step+1, err)
		}
		sum += loss
		count++
		if progress != nil {
			progress(step+1, loss)
		}
		if (step+1)%opt.ValidEvery == 0 || step+1 == opt.Steps {
			curve = append(curve, Point{Step: step + 1, LR: lr, TrainLoss: sum / float64(count), ValidLoss: vs.loss(m)})
			sum, count = 0, 0
		}
	}
	return curve, nil
}

// validSet holds fixed noisy validation windows and their noise.
type validSet struct {
	xt, eps, ts, pred []float32
	rows              int
}

func newValidSet(valid Dataset, opt Options, rng *rand.Rand) (*validSet, error) {
	f := opt.Window * valid.D
	v := &validSet{rows: opt.ValidWindows}
	x := make([]float32, v.rows*f)
	if err := diffusion.SampleWindows(x, valid.Data, valid.N, valid.L, valid.D, opt.Window, rng); err != nil {
		return nil, fmt.Errorf("training: validation set: %w", err)
	}
	v.xt, v.eps, v.ts, v.pred = make([]float32, len(x)), make([]float32, len(x)), make([]float32, v.rows), make([]float32, len(x))
	diffusion.Perturb(v.xt, v.eps, x, v.ts, f, opt.Sched, rng)
	return v, nil
}

// loss returns the mean squared ε error on the validation set, summed in
// float64 in a fixed order.
func (v *validSet) loss(m nets.Model) float64 {
	m.EpsRows(v.pred, v.xt, v.ts, v.rows)
	var s float64
	for i, p := range v.pred {
		d := float64(p - v.eps[i])
		s += d * d
	}
	return s / float64(len(v.pred))
}

// EpsLoss returns the mean squared error of the network's ε prediction on
// noisy windows xt at times ts against the true noise eps.
func EpsLoss(m nets.Model, xt, ts, eps []float32) float64 {
	pred := make([]float32, len(xt))
	m.EpsRows(pred, xt, ts, len(ts))
	var s float64
	for i, p := range pred {
		d := float64(p - eps[i])
		s += d * d
	}
	return s / float64(len(pred))
}
