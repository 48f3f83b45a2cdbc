package nn

import (
	"fmt"
	"math"
)

// AdamW is PyTorch's AdamW optimiser (Loshchilov & Hutter 2019, decoupled
// weight decay), with the update of torch.optim.AdamW (torch 1.13,
// single-tensor path) for each parameter p with gradient g at step s:
//
//	p ← p·(1 − lr·wd)
//	m ← β1·m + (1 − β1)·g
//	v ← β2·v + (1 − β2)·g²
//	p ← p − lr/(1 − β1^s) · m / (√v/√(1 − β2^s) + eps)
//
// Arithmetic is float32 with the step's scalars rounded once, as torch does
// on float32 tensors. Moments are allocated once, in NewAdamW.
type AdamW struct {
	LR, WeightDecay   float64 // set LR before each Step for a schedule
	Beta1, Beta2, Eps float64
	params            []*Param
	offs              []int     // offs[i]: where params[i] starts in m, v
	m, v              []float32 // moments of all parameters, one after another
	step              int
	job               adamFlatJob
}

// NewAdamW returns an optimiser for params with learning rate lr, weight
// decay wd and PyTorch's defaults β = (0.9, 0.999), eps = 1e-8.
func NewAdamW(params []*Param, lr, wd float64) *AdamW {
	o := &AdamW{LR: lr, WeightDecay: wd, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, params: params}
	n := 0
	for _, p := range params {
		o.offs = append(o.offs, n)
		n += len(p.Data)
	}
	o.offs = append(o.offs, n)
	o.m, o.v = make([]float32, n), make([]float32, n)
	return o
}

// Steps returns the number of steps taken.
func (o *AdamW) Steps() int { return o.step }

// Moments returns the first and second moments of all parameters, one
// parameter after another in the order of NewAdamW's params. The slices
// are the optimiser's own: copy them to keep a state.
func (o *AdamW) Moments() (m, v []float32) { return o.m, o.v }

// Restore sets the moments (laid out as Moments returns them) and the
// number of steps taken, so that training resumes exactly where a saved
// state left it.
func (o *AdamW) Restore(m, v []float32, steps int) error {
	if len(m) != len(o.m) || len(v) != len(o.v) {
		return fmt.Errorf("nn: AdamW state holds %d and %d moments, the parameters need %d", len(m), len(v), len(o.m))
	}
	if steps < 0 {
		return fmt.Errorf("nn: AdamW state has %d steps", steps)
	}
	copy(o.m, m)
	copy(o.v, v)
	o.step = steps
	return nil
}

// Step updates every parameter from its gradient. It does not clear the
// gradients.
func (o *AdamW) Step() { o.stepAdding(nil) }

// stepAdding is Step after adding extra, a second gradient laid out as the
// parameters one after another, into each Param.Grad: the sum is formed in
// the update's own pass.
func (o *AdamW) stepAdding(extra []float32) {
	o.step++
	s := float64(o.step)
	bc1 := 1 - math.Pow(o.Beta1, s)
	bc2 := 1 - math.Pow(o.Beta2, s)
	j := &o.job
	j.o, j.extra = o, extra
	k := &j.k
	k.decay = float32(1 - o.LR*o.WeightDecay)
	k.b1, k.c1 = float32(o.Beta1), float32(1-o.Beta1)
	k.b2, k.c2 = float32(o.Beta2), float32(1-o.Beta2)
	k.stepSize = float32(-o.LR / bc1)
	k.bc2sqrt = float32(math.Sqrt(bc2))
	k.eps = float32(o.Eps)
	// One pass over all parameters as if they were one array: chunks may
	// straddle two parameters.
	parallelFor(len(o.m), ewGrain, j)
	j.o, j.extra = nil, nil
}

// adamFlatJob runs the update over ranges of the concatenated parameters.
type adamFlatJob struct {
	o     *AdamW
	extra []float32
	k     adamScalars
}

func (j *adamFlatJob) run(lo, hi int) {
	o := j.o
	for i, p := range o.params {
		a, b := max(lo, o.offs[i]), min(hi, o.offs[i+1])
		if a >= b {
			continue
		}
		pa, pb := a-o.offs[i], b-o.offs[i]
		seg := adamJob{p: p.Data[pa:pb], g: p.Grad[pa:pb], m: o.m[a:b], v: o.v[a:b], adamScalars: j.k}
		if j.extra != nil {
			seg.g2 = j.extra[a:b]
		}
		seg.run(0, b-a)
	}
}

// adamScalars are one step's float32 constants, laid out as
// adamwAVX512 reads them.
type adamScalars struct {
	decay, b1, c1, b2, c2, stepSize, eps, bc2sqrt float32
}

// adamJob applies one AdamW update to a chunk of one parameter, first
// adding g2 into g if g2 is not nil.
type adamJob struct {
	p, g, m, v, g2 []float32
	adamScalars
}

// runGo is the portable update; the AVX-512 one matches it bit for bit.
func (j *adamJob) runGo(lo, hi int) {
	p, g, m, v := j.p[lo:hi], j.g[lo:hi], j.m[lo:hi], j.v[lo:hi]
	if j.g2 != nil {
		vAddToGo(g, j.g2[lo:hi])
	}
	for i := range p {
		gi := g[i]
		pi := p[i] * j.decay
		mi := m[i]*j.b1 + gi*j.c1
		vi := v[i]*j.b2 + j.c2*gi*gi
		den := float32(math.Sqrt(float64(vi)))/j.bc2sqrt + j.eps
		p[i] = pi + j.stepSize*mi/den
		m[i], v[i] = mi, vi
	}
}

// LinearDecay returns the learning rate lr·(1 − step/steps) of SDA's
// linear schedule (docs/method.md §3) for step = 0, 1, …, steps−1.
func LinearDecay(lr float64, step, steps int) float64 {
	return lr * (1 - float64(step)/float64(steps))
}
