package nn

import "testing"

func TestChannelNormGrad(t *testing.T) {
	t.Parallel()
	const n, h, w, c = 2, 3, 2, 5
	checkOp(t, opCase{
		name:  "ChannelNorm",
		sizes: []int{n * h * w * c},
		scale: []float64{3},
		f64:   func(v [][]float64) []float64 { return ln64(v[0], n*h*w, c) },
		vjp64: func(v [][]float64, g []float64) [][]float64 {
			return [][]float64{ln64VJP(v[0], g, n*h*w, c)}
		},
		run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
			x := tp.Var(v[0], n, h, w, c)
			return tp.ChannelNorm(x), func() [][]float32 { return [][]float32{x.Grad} }
		},
	})
}
