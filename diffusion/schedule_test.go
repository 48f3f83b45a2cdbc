package diffusion

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// TestVPCosineReference checks every reference value of docs/method.md §2.1. The
// method notes print μ and σ to six significant figures, so the tolerance is half
// a unit in the sixth figure (abs 5e-7 below 1, rel 5e-6 for the
// boundary values that are exact).
func TestVPCosineReference(t *testing.T) {
	t.Parallel()
	s := VPCosine{} // zero value: η = DefaultEta = 1e-3
	for _, tc := range []struct {
		t, mu, sigma float64
	}{
		{0, 1, 1e-3},
		{0.1, 0.976496, 0.215537},
		{0.25, 0.859100, 0.511809},
		{0.5, 0.515811, 0.856703},
		{0.75, 0.163611, 0.986525},
		{0.9, 0.0340336, 0.999421},
		{1, 1e-3, 1},
	} {
		if got := s.Mu(tc.t); !scalar.EqualWithinAbsOrRel(got, tc.mu, 5e-7, 5e-6) {
			t.Errorf("μ(%v) = %.9g, want %v", tc.t, got, tc.mu)
		}
		if got := s.Sigma(tc.t); !scalar.EqualWithinAbsOrRel(got, tc.sigma, 5e-7, 5e-6) {
			t.Errorf("σ(%v) = %.9g, want %v", tc.t, got, tc.sigma)
		}
	}
	// μ(1 − 1/256) = 0.00141613: six figures of a value near 1e-3.
	if got := s.Mu(1 - 1.0/256); !scalar.EqualWithinAbsOrRel(got, 0.00141613, 5e-9, 5e-6) {
		t.Errorf("μ(1 − 1/256) = %.9g, want 0.00141613", got)
	}
	// σ/μ at t = 1 is 1/η = 1000; μ(1) = cos(arccos √η)² = η up to rounding.
	if got := s.Sigma(1) / s.Mu(1); !scalar.EqualWithinAbsOrRel(got, 1000, 0, 1e-12) {
		t.Errorf("σ(1)/μ(1) = %.15g, want 1000", got)
	}
}

// TestVPCosineIdentity checks σ² = 1 − μ² + η² across t and η, the
// definition that Sigma evaluates in a cancellation-free form, and that
// the boundary values follow η.
func TestVPCosineIdentity(t *testing.T) {
	t.Parallel()
	for _, eta := range []float64{1e-3, 1e-2, 0.3} {
		s := VPCosine{Eta: eta}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		for i := range 101 {
			tt := float64(i) / 100
			mu, sigma := s.Mu(tt), s.Sigma(tt)
			// Both sides are O(1) sums of double-precision terms.
			if want := 1 - mu*mu + eta*eta; !scalar.EqualWithinAbsOrRel(sigma*sigma, want, 1e-15, 1e-14) {
				t.Errorf("η = %v, t = %v: σ² = %.17g, want %.17g", eta, tt, sigma*sigma, want)
			}
		}
		// Boundaries are exact up to a few ulps of the trigonometric functions.
		if got := s.Mu(1); !scalar.EqualWithinAbsOrRel(got, eta, 0, 1e-13) {
			t.Errorf("η = %v: μ(1) = %.17g", eta, got)
		}
		if got := s.Sigma(0); got != eta {
			t.Errorf("η = %v: σ(0) = %.17g, want η exactly", eta, got)
		}
	}
	// At small t the cancellation-free form keeps σ's relative precision:
	// σ(t)² ≈ 2(ωt)² + η² for ωt ≪ 1.
	s := VPCosine{}
	omega := math.Acos(math.Sqrt(DefaultEta))
	tt := 1e-9
	want := math.Sqrt(2*(omega*tt)*(omega*tt) + DefaultEta*DefaultEta)
	if got := s.Sigma(tt); !scalar.EqualWithinAbsOrRel(got, want, 0, 1e-12) {
		t.Errorf("σ(1e-9) = %.17g, want %.17g", got, want)
	}
}

func TestVPCosineValidate(t *testing.T) {
	for _, eta := range []float64{-1e-3, 1, 2, math.NaN()} {
		if err := (VPCosine{Eta: eta}).Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("Validate(η = %v) = %v, want ErrInvalid", eta, err)
		}
	}
}
