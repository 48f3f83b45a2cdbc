package nn

import "testing"

func TestNHWCGrad(t *testing.T) {
	t.Parallel()
	const n, c, h, w = 2, 3, 2, 4
	extra := []float32{1, 2, 3, 4, 5, 6, 7, 8}
	checkOp(t, opCase{
		name:  "NHWC",
		sizes: []int{n * c * h * w},
		f64: func(v [][]float64) []float64 {
			y := make([]float64, n*h*w*(c+1))
			for im := range n {
				for p := range h * w {
					for k := range c {
						y[(im*h*w+p)*(c+1)+k] = v[0][(im*c+k)*h*w+p]
					}
					y[(im*h*w+p)*(c+1)+c] = float64(extra[p])
				}
			}
			return y
		},
		vjp64: func(v [][]float64, g []float64) [][]float64 {
			dx := make([]float64, n*c*h*w)
			for im := range n {
				for p := range h * w {
					for k := range c {
						dx[(im*c+k)*h*w+p] = g[(im*h*w+p)*(c+1)+k]
					}
				}
			}
			return [][]float64{dx}
		},
		run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
			x := tp.Var(v[0], n, c, h, w)
			return tp.NHWC(x, extra), func() [][]float32 { return [][]float32{x.Grad} }
		},
	})
}
