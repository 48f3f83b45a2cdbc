package nn

import "testing"

func TestLinearGrad(t *testing.T) {
	t.Parallel()
	const rows, in, out = 5, 7, 4
	checkOp(t, opCase{
		name:  "Linear",
		sizes: []int{rows * in, out * in, out},
		f64:   func(v [][]float64) []float64 { return linear64(v[0], v[1], v[2], rows, in, out) },
		vjp64: func(v [][]float64, g []float64) [][]float64 {
			dx, dw, db := linear64VJP(v[0], v[1], g, rows, in, out)
			return [][]float64{dx, dw, db}
		},
		run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
			l := linearFrom(in, out, v[1], v[2])
			x := tp.Var(v[0], rows, in)
			return tp.Linear(l, x), func() [][]float32 {
				dw, db := paramGrads(l)
				return [][]float32{x.Grad, dw, db}
			}
		},
	})
}

func TestLinearAccumulatesIntoParamGrad(t *testing.T) {
	t.Parallel()
	// Two backward passes without clearing add up, as PyTorch's .grad does.
	l := linearFrom(2, 1, []float32{1, 2}, []float32{0})
	tp := NewTape()
	y := tp.Linear(l, tp.Const([]float32{3, 4}, 1, 2))
	tp.BackwardWith(y, []float32{1})
	tp.BackwardWith(y, []float32{1})
	if l.W.Grad[0] != 6 || l.W.Grad[1] != 8 || l.B.Grad[0] != 2 {
		t.Fatalf("grads W %v b %v, want [6 8] [2]", l.W.Grad, l.B.Grad)
	}
}
