package nn

import "testing"

func TestMSEGrad(t *testing.T) {
	t.Parallel()
	const n = 10
	checkOp(t, opCase{
		name:  "MSE",
		sizes: []int{n, n},
		f64: func(v [][]float64) []float64 {
			var s float64
			for i := range v[0] {
				s += (v[0][i] - v[1][i]) * (v[0][i] - v[1][i])
			}
			return []float64{s / n}
		},
		vjp64: func(v [][]float64, g []float64) [][]float64 {
			da, db := make([]float64, n), make([]float64, n)
			for i := range da {
				da[i] = 2 * g[0] * (v[0][i] - v[1][i]) / n
				db[i] = -da[i]
			}
			return [][]float64{da, db}
		},
		run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
			a, b := tp.Var(v[0], 2, 5), tp.Var(v[1], 2, 5)
			return tp.MSE(a, b), func() [][]float32 { return [][]float32{a.Grad, b.Grad} }
		},
	})
}

func TestMSELargeIsChunkOrderSum(t *testing.T) {
	t.Parallel()
	// Over several chunks the loss still equals the plain float64 mean.
	const n = 3*ewGrain + 17
	a, b := make([]float32, n), make([]float32, n)
	var want float64
	for i := range a {
		a[i] = float32(i%7) * 0.25
		d := float64(a[i] - b[i])
		want += d * d
	}
	want /= n
	tp := NewTape()
	got := tp.MSE(tp.Const(a, n), tp.Const(b, n)).Data[0]
	if !near(float64(got), want, 0, 1e-7) {
		t.Fatalf("MSE = %g, want %g", got, want)
	}
}
