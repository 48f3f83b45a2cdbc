package nn

import "testing"

func TestAddLinearGrad(t *testing.T) {
	t.Parallel()
	const rows, in, out = 4, 6, 5
	checkOp(t, opCase{
		name:  "AddLinear",
		sizes: []int{rows * out, rows * in, out * in, out},
		f64: func(v [][]float64) []float64 {
			return add64(v[0], linear64(v[1], v[2], v[3], rows, in, out))
		},
		vjp64: func(v [][]float64, g []float64) [][]float64 {
			da, dw, db := linear64VJP(v[1], v[2], g, rows, in, out)
			return [][]float64{g, da, dw, db}
		},
		run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
			l := linearFrom(in, out, v[2], v[3])
			h, a := tp.Var(v[0], rows, out), tp.Var(v[1], rows, in)
			return tp.AddLinear(h, l, a), func() [][]float32 {
				dw, db := paramGrads(l)
				return [][]float32{h.Grad, a.Grad, dw, db}
			}
		},
	})
}

func TestAddLinearResidualChainSharesGrad(t *testing.T) {
	t.Parallel()
	// h2 = h1 + L(LN(h1)), h1 = h0 + L(LN(h0)): the residual gradient is
	// passed down by sharing one buffer; the input gradient must still be
	// the sum of both paths. Checked against the float64 mirrors.
	const rows, d = 3, 4
	rng := newTestRand()
	h0 := randVec(rng, rows*d)
	la, lb := randLinear(rng, "a", d, d), randLinear(rng, "b", d, d)
	g := randVec(rng, rows*d)
	tp := NewTape()
	x := tp.Var(h0, rows, d)
	h1 := tp.AddLinear(x, la, tp.LayerNorm(x))
	h2 := tp.AddLinear(h1, lb, tp.LayerNorm(h1))
	tp.BackwardWith(h2, g)

	w64 := func(l *Linear) ([]float64, []float64) { return to64(l.W.Data), to64(l.B.Data) }
	wa, ba := w64(la)
	wb, _ := w64(lb)
	x64 := to64(h0)
	h1v := add64(x64, linear64(ln64(x64, rows, d), wa, ba, rows, d, d))
	g64 := to64(g)
	// Back through block b.
	dlnb, _, _ := linear64VJP(ln64(h1v, rows, d), wb, g64, rows, d, d)
	gh1 := add64(g64, ln64VJP(h1v, dlnb, rows, d))
	dlna, _, _ := linear64VJP(ln64(x64, rows, d), wa, gh1, rows, d, d)
	gx := add64(gh1, ln64VJP(x64, dlna, rows, d))
	for i, v := range x.Grad {
		if !near(float64(v), gx[i], f32Abs, f32Rel) {
			t.Fatalf("grad[%d] = %g, want %g", i, v, gx[i])
		}
	}
}
