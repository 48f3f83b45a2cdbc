package dynamics

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// TestRK4StepLinear checks one RK4 step on dx/dt = λx against its known
// closed form: classical RK4 multiplies x by the degree-4 Taylor polynomial
// of exp(λh).
func TestRK4StepLinear(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		lambda, h float64
		x0        []float64
	}{
		{"decay", -1, 0.1, []float64{1, -2}},
		{"growth", 2, 0.05, []float64{3}},
		{"stiffish", -30, 0.025, []float64{0.5, 1, 1.5}},
		{"zero step", -1, 0, []float64{7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			z := tc.lambda * tc.h
			factor := 1 + z + z*z/2 + z*z*z/6 + z*z*z*z/24
			x := append([]float64(nil), tc.x0...)
			NewRK4(len(x)).Step(func(dst, x []float64) {
				for i := range x {
					dst[i] = tc.lambda * x[i]
				}
			}, x, tc.h)
			for i := range x {
				want := factor * tc.x0[i]
				// A handful of roundings on O(1) values.
				if !scalar.EqualWithinAbsOrRel(x[i], want, 1e-15, 1e-14) {
					t.Errorf("x[%d] = %.17g, want %.17g", i, x[i], want)
				}
			}
		})
	}
}

func TestRK4StepNoAlloc(t *testing.T) {
	s, x := NewRK4(3), []float64{1, 1, 1}
	f := NewLorenz63().Deriv
	if n := testing.AllocsPerRun(100, func() { s.Step(f, x, 0.01) }); n != 0 {
		t.Fatalf("Step allocated %v times per call, want 0", n)
	}
	if math.IsNaN(x[0]) {
		t.Fatal("state became NaN")
	}
}
