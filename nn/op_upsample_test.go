package nn

import "testing"

func TestUpsample2xGrad(t *testing.T) {
	t.Parallel()
	const n, h, w, c = 2, 3, 2, 5
	checkOp(t, opCase{
		name:  "Upsample2x",
		sizes: []int{n * h * w * c},
		f64:   func(v [][]float64) []float64 { return up64(v[0], n, h, w, c) },
		vjp64: func(v [][]float64, g []float64) [][]float64 { return [][]float64{up64VJP(g, n, h, w, c)} },
		run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
			x := tp.Var(v[0], n, h, w, c)
			return tp.Upsample2x(x), func() [][]float32 { return [][]float32{x.Grad} }
		},
	})
}
