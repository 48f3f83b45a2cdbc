package nn

import "testing"

func TestConcatGrad(t *testing.T) {
	t.Parallel()
	const rows, ca, cb = 3, 2, 4
	checkOp(t, opCase{
		name:  "Concat",
		sizes: []int{rows * ca, rows * cb},
		f64:   func(v [][]float64) []float64 { return concat64(v[0], v[1], rows, ca, cb) },
		vjp64: func(v [][]float64, g []float64) [][]float64 {
			da, db := make([]float64, 0), make([]float64, 0)
			for r := range rows {
				da = append(da, g[r*(ca+cb):r*(ca+cb)+ca]...)
				db = append(db, g[r*(ca+cb)+ca:(r+1)*(ca+cb)]...)
			}
			return [][]float64{da, db}
		},
		run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
			a, b := tp.Var(v[0], rows, ca), tp.Var(v[1], rows, cb)
			return tp.Concat(a, b), func() [][]float32 { return [][]float32{a.Grad, b.Grad} }
		},
	})
}
