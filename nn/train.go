package nn

import "math"

// A Trainer runs SDA's denoising training steps (spec §2.2) on a Net:
//
//	loss = mean((ε_φ(x_t, t) − ε)²),  x_t = μ(t)·x + σ(t)·ε
//
// with AdamW. The caller draws t and ε and forms x_t (the schedule lives
// in package diffusion). A Trainer reuses one tape, so steps after the
// first allocate nothing.
type Trainer struct {
	Net *Net
	Opt *AdamW
	tp  *Tape
}

// NewTrainer returns a trainer for net with AdamW at learning rate lr and
// weight decay wd (spec §3: 1e-3 and 1e-3).
func NewTrainer(net *Net, lr, wd float64) *Trainer {
	return &Trainer{Net: net, Opt: NewAdamW(net.Params(), lr, wd), tp: NewTape()}
}

// Loss records the denoising loss of a batch on tp and returns it (shape
// (1)): xt and eps are (rows, F), t is (rows).
func (n *Net) Loss(tp *Tape, xt, t, eps []float32, rows int) *Tensor {
	f := n.Cfg.Features
	checkRows("Loss", rows, f, xt, eps)
	checkRows("Loss", rows, 1, t)
	pred := n.Forward(tp, tp.Const(xt, rows, f), tp.Const(t, rows))
	return tp.MSE(pred, tp.Const(eps, rows, f))
}

// Step runs one training step at learning rate lr: zero the gradients,
// forward, loss, backward and one AdamW update. It returns the batch loss.
// If the loss is not finite it applies no update and returns ErrNonFinite.
func (tr *Trainer) Step(xt, t, eps []float32, rows int, lr float64) (float64, error) {
	tp := tr.tp
	tp.Reset()
	loss := tr.Net.Loss(tp, xt, t, eps, rows)
	v := float64(loss.Data[0])
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v, ErrNonFinite{Step: tr.Opt.Steps(), Value: v}
	}
	ZeroGrads(tr.Net.Params())
	tp.Backward(loss)
	tr.Opt.LR = lr
	tr.Opt.Step()
	return v, nil
}
