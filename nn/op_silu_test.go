package nn

import (
	"math"
	"testing"
)

func TestSiLUGrad(t *testing.T) {
	t.Parallel()
	const n = 40
	checkOp(t, opCase{
		name:  "SiLU",
		sizes: []int{n},
		scale: []float64{4},
		f64:   func(v [][]float64) []float64 { return mapSlice(v[0], silu64) },
		vjp64: func(v [][]float64, g []float64) [][]float64 {
			return [][]float64{mul64(g, mapSlice(v[0], dsilu64))}
		},
		run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
			x := tp.Var(v[0], 8, 5)
			return tp.SiLU(x), func() [][]float32 { return [][]float32{x.Grad} }
		},
	})
}

func TestExpfAccuracy(t *testing.T) {
	t.Parallel()
	// expf against float64 exp over the whole finite range: 2 ulp (2.4e-7
	// relative) is what the Cephes polynomial with Cody–Waite reduction
	// gives; the final scaling is exact.
	for x := -87.0; x < 88.3; x += 0.0137 {
		got := float64(expf(float32(x)))
		want := math.Exp(float64(float32(x)))
		if math.Abs(got-want) > 2.4e-7*want {
			t.Fatalf("expf(%g) = %g, want %g", x, got, want)
		}
	}
	cases := []struct {
		x    float32
		want float64
	}{
		{0, 1}, {-100, 0}, {float32(math.Inf(-1)), 0}, {89, math.Inf(1)}, {float32(math.Inf(1)), math.Inf(1)},
	}
	for _, c := range cases {
		if got := float64(expf(c.x)); got != c.want {
			t.Errorf("expf(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	if v := expf(float32(math.NaN())); v == v {
		t.Errorf("expf(NaN) = %g, want NaN", v)
	}
}

func TestSiLUExtremes(t *testing.T) {
	t.Parallel()
	// Large |z|: silu(z) → z or 0 and silu'(z) → 1 or 0 without NaN.
	for _, c := range []struct{ z, a, d float32 }{{100, 100, 1}, {-100, 0, 0}, {0, 0, 0.5}} {
		a, d := silu(c.z)
		if a != c.a || d != c.d {
			t.Errorf("silu(%g) = %g, %g; want %g, %g", c.z, a, d, c.a, c.d)
		}
	}
}
