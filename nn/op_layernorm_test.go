package nn

import (
	"math"
	"testing"
)

func TestLayerNormGrad(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ rows, cols int }{{3, 2}, {4, 7}, {2, 33}} {
		rows, cols := c.rows, c.cols
		checkOp(t, opCase{
			name:  "LayerNorm",
			sizes: []int{rows * cols},
			scale: []float64{3},
			f64:   func(v [][]float64) []float64 { return ln64(v[0], rows, cols) },
			vjp64: func(v [][]float64, g []float64) [][]float64 {
				return [][]float64{ln64VJP(v[0], g, rows, cols)}
			},
			run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
				x := tp.Var(v[0], rows, cols)
				return tp.LayerNorm(x), func() [][]float32 { return [][]float32{x.Grad} }
			},
		})
	}
}

func TestLayerNormKnownValues(t *testing.T) {
	t.Parallel()
	// Row (1, 2, 3): mean 2, unbiased variance 1, so ŷ = (−1, 0, 1)/√(1 + 1e-5).
	// A constant row has variance 0 and maps to 0, not NaN (eps 1e-5).
	tp := NewTape()
	y := tp.LayerNorm(tp.Const([]float32{1, 2, 3, 5, 5, 5}, 2, 3))
	s := 1 / math.Sqrt(1+1e-5)
	want := []float64{-s, 0, s, 0, 0, 0}
	for i, v := range y.Data {
		if !near(float64(v), want[i], 1e-7, 1e-6) {
			t.Fatalf("y = %v, want %v", y.Data, want)
		}
	}
}
