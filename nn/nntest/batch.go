package nntest

import (
	"math"
	"math/rand/v2"
)

// A Batch is a training batch drawn as the train stage draws one: clean
// examples X ~ N(0, I), per-row times T ~ U(0, 1), noise Eps ~ N(0, I) and
// Xt = μ(t)·X + σ(t)·Eps with the cosine schedule of docs/method.md §2.1
// (η = 1e-3). Rows examples of F values each.
type Batch struct {
	X, Xt, T, Eps []float32
	Rows, F       int
}

// NewBatch draws X, then T, Eps and Xt, from rng.
func NewBatch(rng *rand.Rand, rows, f int) *Batch {
	b := &Batch{X: RandVec(rng, rows*f), Xt: make([]float32, rows*f), T: make([]float32, rows),
		Eps: make([]float32, rows*f), Rows: rows, F: f}
	b.Draw(rng)
	return b
}

// Draw redraws T, Eps and Xt for the same X.
func (b *Batch) Draw(rng *rand.Rand) {
	omega := math.Acos(math.Sqrt(1e-3))
	for r := range b.Rows {
		t := rng.Float64()
		mu := math.Pow(math.Cos(omega*t), 2)
		sigma := math.Sqrt(1 - mu*mu + 1e-6)
		b.T[r] = float32(t)
		for j := range b.F {
			i := r*b.F + j
			e := rng.NormFloat64()
			b.Eps[i] = float32(e)
			b.Xt[i] = float32(mu*float64(b.X[i]) + sigma*e)
		}
	}
}
