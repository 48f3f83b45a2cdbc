package observe

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

func TestGaussianLogLik(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		y, ax    []float64
		sigma    float64
		want     float64
		abs, rel float64 // tolerance
	}{
		// log N(1; 0, 1) = −½ ln 2π − ½; one rounding in each of two logs.
		{"unit", []float64{1}, []float64{0}, 1, -0.5*math.Log(2*math.Pi) - 0.5, 1e-15, 1e-15},
		// Product of two densities written with math.Exp; exp/log round trip loses a few ulps.
		{"two values", []float64{0.3, -0.1}, []float64{0.1, 0.2}, 0.25,
			math.Log(math.Exp(-0.5*0.64)/math.Sqrt(2*math.Pi*0.0625)) + math.Log(math.Exp(-0.5*1.44)/math.Sqrt(2*math.Pi*0.0625)), 1e-13, 1e-13},
		{"empty", nil, nil, 0.1, 0, 0, 0},
	}
	for _, tc := range tests {
		if got := GaussianLogLik(tc.y, tc.ax, tc.sigma); !scalar.EqualWithinAbsOrRel(got, tc.want, tc.abs, tc.rel) {
			t.Errorf("%s: GaussianLogLik = %.17g, want %.17g", tc.name, got, tc.want)
		}
	}
}
