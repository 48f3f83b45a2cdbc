package nn

import "math"

// trainShards is the number of fixed parts a training batch is split into.
// Each part runs forward and backward on its own goroutine with
// single-threaded products, and the parts' gradients are added in order:
// a batch of 256 is too small to split each product over cores
// efficiently, but two independent halves scale. The split depends on the
// batch size only, so results do not depend on GOMAXPROCS.
const trainShards = 2

// trainMicro is the most rows a shard runs through its tape at once; a
// larger part is done in steps of trainMicro rows whose parameter
// gradients accumulate in order, which bounds a tape's activations (about
// 7 MiB at width 256) whatever the batch size. Micro-batches of 64 to 512
// rows ran equally fast on two cores.
const trainMicro = 256

// A Trainable is a network that a Trainer can fit: its parameters, in a
// fixed order, and its denoising loss recorded on a tape.
//
// Loss records mean((ε_φ(x_t, t) − ε)²) for rows examples: xt and eps hold
// rows equal-sized examples, t one time per row. The Trainer calls Loss from
// several goroutines at once, each with its own tape, so Loss must only
// read shared state (the parameters) and record everything else on tp.
type Trainable interface {
	Params() []*Param
	Loss(tp *Tape, xt, t, eps []float32, rows int) *Tensor
}

// A Trainer runs SDA's denoising training steps (docs/method.md §2.2) on a model:
//
//	loss = mean((ε_φ(x_t, t) − ε)²),  x_t = μ(t)·x + σ(t)·ε
//
// with AdamW. The caller draws t and ε and forms x_t (the schedule lives
// in package diffusion). A Trainer reuses its tapes and buffers, so steps
// after the first allocate nothing (if the model's Loss does not).
type Trainer struct {
	Model  Trainable
	Opt    *AdamW
	shards [trainShards]trainShard
	job    shardJob
}

// trainShard is one part of the batch: its tape and, for every part but
// the first, its own parameter gradients (the first uses Param.Grad).
type trainShard struct {
	tp   *Tape
	flat []float32 // backing of tp.grads
	seed [1]float32
	loss float64 // mean squared error × rows of the part
}

// NewTrainer returns a trainer for m with AdamW at learning rate lr and
// weight decay wd (docs/method.md §3: 1e-3 and 1e-3).
func NewTrainer(m Trainable, lr, wd float64) *Trainer {
	ps := m.Params()
	tr := &Trainer{Model: m, Opt: NewAdamW(ps, lr, wd)}
	for s := range tr.shards {
		sh := &tr.shards[s]
		if s == 0 {
			sh.tp = newShardTape(nil)
			continue
		}
		sh.flat = make([]float32, NumParams(ps))
		grads := make(map[*Param][]float32, len(ps))
		off := 0
		for _, p := range ps {
			grads[p] = sh.flat[off : off+len(p.Data)]
			off += len(p.Data)
		}
		sh.tp = newShardTape(grads)
	}
	return tr
}

// Step runs one training step at learning rate lr: forward, loss and
// backward (the gradients are overwritten, not accumulated), then one AdamW
// update. xt and eps are (rows, F), t is (rows). It returns the batch loss.
// If the loss is not finite it applies no update and returns ErrNonFinite.
// Step panics if rows < 1 or a slice's length does not match rows.
func (tr *Trainer) Step(xt, t, eps []float32, rows int, lr float64) (float64, error) {
	if rows < 1 {
		panic("nn: Trainer.Step needs at least one row")
	}
	if len(xt)%rows != 0 || len(eps) != len(xt) || len(t) != rows {
		panic("nn: Trainer.Step: xt and eps must hold rows equal examples and t one time per row")
	}
	tr.job = shardJob{tr: tr, xt: xt, t: t, eps: eps, rows: rows, f: len(xt) / rows}
	parallelFor(trainShards, 1, &tr.job)
	tr.job = shardJob{}
	var loss float64
	for s := range tr.shards {
		loss += tr.shards[s].loss
	}
	loss /= float64(rows)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, ErrNonFinite{Step: tr.Opt.Steps(), Value: loss}
	}
	tr.Opt.LR = lr
	tr.Opt.stepAdding(tr.shards[1].flat) // Param.Grad += the second half's, then AdamW

	return loss, nil
}

// shardJob runs the forward and backward pass of batch parts.
type shardJob struct {
	tr         *Trainer
	xt, t, eps []float32
	rows, f    int // examples in the batch, values per example
}

func (j *shardJob) run(lo, hi int) {
	for s := lo; s < hi; s++ {
		sh := &j.tr.shards[s]
		if s == 0 {
			ZeroGrads(j.tr.Model.Params())
		} else {
			clear(sh.flat)
		}
		sh.loss = 0
		r0, r1 := s*j.rows/trainShards, (s+1)*j.rows/trainShards
		micro := microRows(j.tr.Model)
		for m0 := r0; m0 < r1; m0 += micro {
			j.micro(sh, m0, min(m0+micro, r1))
		}
	}
}

// micro runs forward and backward on rows [r0, r1), adding the parameter
// gradients into the shard's.
func (j *shardJob) micro(sh *trainShard, r0, r1 int) {
	f := j.f
	tp := sh.tp
	tp.Reset()
	loss := j.tr.Model.Loss(tp, j.xt[r0*f:r1*f], j.t[r0:r1], j.eps[r0*f:r1*f], r1-r0)
	sh.loss += float64(loss.Data[0]) * float64(r1-r0)
	// The batch loss is Σ (rows_part/rows)·loss_part: seed each part's
	// backward pass with its weight.
	sh.seed[0] = float32(r1-r0) / float32(j.rows)
	tp.BackwardWith(loss, sh.seed[:])
}
