package nn

import (
	"math"
	"testing"
)

func TestTimeFeaturesGrad(t *testing.T) {
	t.Parallel()
	const rows, nf = 5, 4
	checkOp(t, opCase{
		name:  "TimeFeatures",
		sizes: []int{rows},
		scale: []float64{0.5},
		f64:   func(v [][]float64) []float64 { return timeFeat64(v[0], nf) },
		vjp64: func(v [][]float64, g []float64) [][]float64 {
			d := make([]float64, rows)
			for r, tv := range v[0] {
				for j := 1; j <= nf; j++ {
					w := math.Pi * float64(j)
					d[r] += -w*math.Sin(w*tv)*g[r*2*nf+j-1] + w*math.Cos(w*tv)*g[r*2*nf+nf+j-1]
				}
			}
			return [][]float64{d}
		},
		run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
			x := tp.Var(v[0], rows)
			return tp.TimeFeatures(x, nf), func() [][]float32 { return [][]float32{x.Grad} }
		},
	})
}

func TestTimeFeaturesKnownValues(t *testing.T) {
	t.Parallel()
	// t = 0.5, 2 frequencies: cos(π/2), cos(π), sin(π/2), sin(π) = 0, −1, 1, 0.
	tp := NewTape()
	y := tp.TimeFeatures(tp.Const([]float32{0.5}, 1), 2)
	want := []float64{0, -1, 1, 0}
	for i, v := range y.Data {
		if !near(float64(v), want[i], 1e-7, 0) {
			t.Fatalf("features %v, want %v", y.Data, want)
		}
	}
}
