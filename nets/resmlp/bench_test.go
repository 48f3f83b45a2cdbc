package resmlp

import (
	"math"
	"math/rand/v2"
	"sdapipe/nn"
	"strconv"
	"testing"
)

// The benchmarks make the calls that the PyTorch reference timings make on
// the default network (window 5, D = 3, W = 256, depth 5; 691,215
// parameters): a training step at batch 256 and 1024, and ε and its input
// VJP for 256 samples × 61 windows, so their ns/op compare with torch's
// milliseconds for the same module.

func benchNet(b *testing.B) *Net {
	n, err := NewNet(LocalConfig(3, 5, 256), rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkTrainStep: noise draw, x_t = μ(t)x + σ(t)ε, forward, loss,
// backward, AdamW (lr 1e-3, weight decay 1e-3); x and t fixed per batch as
// in the script.
func BenchmarkTrainStep(b *testing.B) {
	for _, rows := range []int{256, 1024} {
		b.Run("batch="+strconv.Itoa(rows), func(b *testing.B) {
			n := benchNet(b)
			tr := nn.NewTrainer(n, 1e-3, 1e-3)
			rng := rand.New(rand.NewPCG(1, 1))
			F := n.Cfg.Features
			x, t := randVec(rng, rows*F), make([]float32, rows)
			mu, sigma := make([]float32, rows), make([]float32, rows)
			omega := math.Acos(math.Sqrt(1e-3))
			for r := range t {
				t[r] = float32(rng.Float64())
				m := math.Pow(math.Cos(omega*float64(t[r])), 2)
				mu[r], sigma[r] = float32(m), float32(math.Sqrt(1-m*m+1e-6))
			}
			eps, xt := make([]float32, rows*F), make([]float32, rows*F)
			b.ReportAllocs()
			for b.Loop() {
				for i := range eps {
					r := i / F
					eps[i] = float32(rng.NormFloat64())
					xt[i] = mu[r]*x[i] + sigma[r]*eps[i]
				}
				if _, err := tr.Step(xt, t, eps, rows, 1e-3); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchRows is the sampling batch: 256 samples × 61 windows of 5 states.
const benchRows = 256 * 61

func BenchmarkEps(b *testing.B) {
	n := benchNet(b)
	rng := rand.New(rand.NewPCG(2, 2))
	x := randVec(rng, benchRows*n.Cfg.Features)
	dst := make([]float32, len(x))
	b.ReportAllocs()
	for b.Loop() {
		n.Eps(dst, x, benchRows, 0.5)
	}
}

// BenchmarkEpsVJP: ε and the input gradient of sum(ε ⊙ w) for a fixed w.
func BenchmarkEpsVJP(b *testing.B) {
	n := benchNet(b)
	rng := rand.New(rand.NewPCG(3, 3))
	x := randVec(rng, benchRows*n.Cfg.Features)
	w := randVec(rng, len(x))
	eps, grad := make([]float32, len(x)), make([]float32, len(x))
	cot := func(_, dst []float32) { copy(dst, w) }
	b.ReportAllocs()
	for b.Loop() {
		n.EpsVJP(eps, grad, x, benchRows, 0.5, cot)
	}
}
