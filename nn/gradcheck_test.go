package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// An opCase describes one op for the gradient and float32 checks.
type opCase struct {
	name   string
	sizes  []int     // length of each input (activations, then parameters)
	scale  []float64 // spread of each input's random values (default 1)
	f64    func(in [][]float64) []float64
	vjp64  func(in [][]float64, g []float64) [][]float64
	run32  func(tp *Tape, in [][]float32) (y *Tensor, grads func() [][]float32)
	noGrad []bool // inputs that get no gradient (e.g. Const)
}

// Tolerances fdRel, fdAbs, f32Rel and f32Abs are nntest's; their
// justification is there.

func randInputs(rng *rand.Rand, c opCase) [][]float64 {
	in := make([][]float64, len(c.sizes))
	for k, n := range c.sizes {
		s := 1.0
		if k < len(c.scale) && c.scale[k] > 0 {
			s = c.scale[k]
		}
		in[k] = make([]float64, n)
		for i := range in[k] {
			in[k][i] = s * rng.NormFloat64()
		}
	}
	return in
}

func checkOp(t *testing.T, c opCase) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	in := randInputs(rng, c)
	// Round the inputs to float32 so both precisions see the same values.
	for _, v := range in {
		for i := range v {
			v[i] = float64(float32(v[i]))
		}
	}
	y := c.f64(in)
	g := make([]float64, len(y))
	for i := range g {
		g[i] = float64(float32(rng.NormFloat64()))
	}
	want := c.vjp64(in, g)
	// 1. The float64 VJP against central differences of Σ g·f(x).
	loss := func() float64 {
		var s float64
		for i, v := range c.f64(in) {
			s += g[i] * v
		}
		return s
	}
	for k := range in {
		if k < len(c.noGrad) && c.noGrad[k] {
			continue
		}
		for i := range in[k] {
			const h = 1e-6
			x0 := in[k][i]
			in[k][i] = x0 + h
			lp := loss()
			in[k][i] = x0 - h
			lm := loss()
			in[k][i] = x0
			fd := (lp - lm) / (2 * h)
			if !near(fd, want[k][i], fdAbs+1e-7*math.Abs(lp), fdRel) {
				t.Fatalf("%s: input %d[%d]: VJP %.10g, central difference %.10g", c.name, k, i, want[k][i], fd)
			}
		}
	}
	// 2. The float32 op and its backward pass against the float64 mirror.
	in32 := make([][]float32, len(in))
	for k := range in {
		in32[k] = to32(in[k])
	}
	tp := NewTape()
	for rep := range 2 { // twice: the second run reuses the tape's buffers
		tp.Reset()
		out, grads := c.run32(tp, in32)
		for i, v := range out.Data {
			if !near(float64(v), y[i], f32Abs, f32Rel) {
				t.Fatalf("%s (run %d): output[%d] = %.8g, float64 mirror %.8g", c.name, rep, i, v, y[i])
			}
		}
		tp.BackwardWith(out, to32(g))
		got := grads()
		for k := range got {
			if got[k] == nil {
				continue
			}
			for i, v := range got[k] {
				if !near(float64(v), want[k][i], f32Abs, f32Rel) {
					t.Fatalf("%s (run %d): grad of input %d[%d] = %.8g, float64 mirror %.8g", c.name, rep, k, i, v, want[k][i])
				}
			}
		}
	}
}

// linearFrom makes a Linear layer holding w and b.
func linearFrom(in, out int, w, b []float32) *Linear {
	l := NewLinear("l", in, out)
	copy(l.W.Data, w)
	copy(l.B.Data, b)
	return l
}

// paramGrads returns copies of l's gradients, cleared afterwards so the
// next backward pass starts from zero.
func paramGrads(l *Linear) (dw, db []float32) {
	dw, db = append([]float32(nil), l.W.Grad...), append([]float32(nil), l.B.Grad...)
	clear(l.W.Grad)
	clear(l.B.Grad)
	return dw, db
}
