package nn

import "testing"

func TestLinearSiLUGrad(t *testing.T) {
	t.Parallel()
	const rows, in, out = 6, 5, 9
	fwd := func(v [][]float64) ([]float64, []float64) {
		z := linear64(v[0], v[1], v[2], rows, in, out)
		return z, mapSlice(z, silu64)
	}
	checkOp(t, opCase{
		name:  "LinearSiLU",
		sizes: []int{rows * in, out * in, out},
		f64:   func(v [][]float64) []float64 { _, y := fwd(v); return y },
		vjp64: func(v [][]float64, g []float64) [][]float64 {
			z, _ := fwd(v)
			dx, dw, db := linear64VJP(v[0], v[1], mul64(g, mapSlice(z, dsilu64)), rows, in, out)
			return [][]float64{dx, dw, db}
		},
		run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
			l := linearFrom(in, out, v[1], v[2])
			x := tp.Var(v[0], rows, in)
			return tp.LinearSiLU(l, x), func() [][]float32 {
				dw, db := paramGrads(l)
				return [][]float32{x.Grad, dw, db}
			}
		},
	})
}
