package nn

import "testing"

func TestLinearCatGrad(t *testing.T) {
	t.Parallel()
	const rows, cx, ce, out = 4, 3, 5, 6
	in := cx + ce
	checkOp(t, opCase{
		name:  "LinearCat",
		sizes: []int{rows * cx, rows * ce, out * in, out},
		f64: func(v [][]float64) []float64 {
			return linear64(concat64(v[0], v[1], rows, cx, ce), v[2], v[3], rows, in, out)
		},
		vjp64: func(v [][]float64, g []float64) [][]float64 {
			dxe, dw, db := linear64VJP(concat64(v[0], v[1], rows, cx, ce), v[2], g, rows, in, out)
			dx, de := make([]float64, 0, rows*cx), make([]float64, 0, rows*ce)
			for r := range rows {
				dx = append(dx, dxe[r*in:r*in+cx]...)
				de = append(de, dxe[r*in+cx:(r+1)*in]...)
			}
			return [][]float64{dx, de, dw, db}
		},
		run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
			l := linearFrom(in, out, v[2], v[3])
			x, e := tp.Var(v[0], rows, cx), tp.Var(v[1], rows, ce)
			return tp.LinearCat(l, x, e), func() [][]float32 {
				dw, db := paramGrads(l)
				return [][]float32{x.Grad, e.Grad, dw, db}
			}
		},
	})
}
