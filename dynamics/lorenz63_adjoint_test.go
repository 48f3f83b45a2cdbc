package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// TestLorenz63TangentMatchesFiniteDifferences compares J_M(x)·v with the
// central difference (M(x + εv) − M(x − εv)) / 2ε on attractor states,
// for Δ = 0.025 (docs/method.md §1.1) and Δ = 0.01 (DAPPER's).
//
// Tolerance: the central difference's truncation error is ε²/6 times M's
// third derivative, and its rounding error ~1e-16·|M|/ε; at ε = 1e-5 both
// are below 1e-7 for |x| ~ 50, against Jacobian entries of order 1.
func TestLorenz63TangentMatchesFiniteDifferences(t *testing.T) {
	t.Parallel()
	for _, dt := range []float64{0.025, 0.01} {
		l := NewLorenz63()
		l.Dt = dt
		ts, st := l.NewTangentStepper(), l.NewStepper()
		rng := rand.New(rand.NewPCG(3, 4))
		const eps = 1e-5
		for i, x := range attractorStates(50) {
			v := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
			got := make([]float64, 3)
			ts.Tangent(got, x, v)
			xp, xm := make([]float64, 3), make([]float64, 3)
			for d := range 3 {
				xp[d], xm[d] = x[d]+eps*v[d], x[d]-eps*v[d]
			}
			st.Map(xp, xp)
			st.Map(xm, xm)
			for d := range 3 {
				want := (xp[d] - xm[d]) / (2 * eps)
				if !scalar.EqualWithinAbsOrRel(got[d], want, 1e-6, 1e-6) {
					t.Fatalf("Δ %v, state %d, coordinate %d: tangent %.12g, finite difference %.12g", dt, i, d, got[d], want)
				}
			}
		}
	}
}

// TestLorenz63AdjointDotProduct is the adjoint test ⟨J·δx, λ⟩ = ⟨δx, Jᵀ·λ⟩
// for random δx, λ on attractor states. Both sides are sums of the same
// products in a different order: agreement to ~1e-13 relative.
func TestLorenz63AdjointDotProduct(t *testing.T) {
	t.Parallel()
	ts := NewLorenz63().NewTangentStepper()
	rng := rand.New(rand.NewPCG(5, 6))
	for i, x := range attractorStates(100) {
		dx := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		lam := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		jdx, jtl := make([]float64, 3), make([]float64, 3)
		ts.Tangent(jdx, x, dx)
		ts.Adjoint(jtl, x, lam)
		var lhs, rhs, scale float64
		for d := range 3 {
			lhs += jdx[d] * lam[d]
			rhs += dx[d] * jtl[d]
			scale += math.Abs(jdx[d]*lam[d]) + math.Abs(dx[d]*jtl[d])
		}
		if math.Abs(lhs-rhs) > 1e-13*scale {
			t.Fatalf("state %d: ⟨Jδx, λ⟩ = %.17g, ⟨δx, Jᵀλ⟩ = %.17g", i, lhs, rhs)
		}
	}
}

// TestLorenz63TangentIsMapOfStepper checks that the TangentStepper's Map is
// the ordinary Stepper's map, bit for bit.
func TestLorenz63TangentIsMapOfStepper(t *testing.T) {
	t.Parallel()
	l := NewLorenz63()
	ts, st := l.NewTangentStepper(), l.NewStepper()
	for _, x := range attractorStates(20) {
		a, b := make([]float64, 3), make([]float64, 3)
		ts.Map(a, x)
		st.Map(b, x)
		if a[0] != b[0] || a[1] != b[1] || a[2] != b[2] {
			t.Fatalf("TangentStepper.Map %v, Stepper.Map %v", a, b)
		}
	}
}

func TestLorenz63TangentNoAlloc(t *testing.T) {
	ts := NewLorenz63().NewTangentStepper()
	x, v, dst := []float64{1, 2, 20}, []float64{0.1, 0.2, 0.3}, make([]float64, 3)
	if n := testing.AllocsPerRun(100, func() {
		ts.Tangent(dst, x, v)
		ts.Adjoint(dst, x, v)
	}); n != 0 {
		t.Fatalf("Tangent and Adjoint allocated %v times per call, want 0", n)
	}
}

func TestLorenz63TangentPanicsOnLength(t *testing.T) {
	ts := NewLorenz63().NewTangentStepper()
	defer func() {
		if recover() == nil {
			t.Fatal("Adjoint with a length-2 dst did not panic")
		}
	}()
	ts.Adjoint(make([]float64, 2), make([]float64, 3), make([]float64, 3))
}
