package nn

import "testing"

func TestAddPixelsGrad(t *testing.T) {
	t.Parallel()
	const n, h, w, c = 2, 3, 2, 4
	checkOp(t, opCase{
		name:  "AddPixels",
		sizes: []int{n * h * w * c, n * c},
		f64: func(v [][]float64) []float64 {
			y := make([]float64, len(v[0]))
			for i := range y {
				y[i] = v[0][i] + v[1][(i/(h*w*c))*c+i%c]
			}
			return y
		},
		vjp64: func(v [][]float64, g []float64) [][]float64 {
			dp := make([]float64, n*c)
			for i, gv := range g {
				dp[(i/(h*w*c))*c+i%c] += gv
			}
			return [][]float64{g, dp}
		},
		run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
			x, p := tp.Var(v[0], n, h, w, c), tp.Var(v[1], n, c)
			return tp.AddPixels(x, p), func() [][]float32 { return [][]float32{x.Grad, p.Grad} }
		},
	})
}
