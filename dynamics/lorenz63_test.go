package dynamics

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// attractorStates returns n successive states of the deterministic map
// after a 500-step spin-up from (1, 1, 1): points on the attractor.
func attractorStates(n int) [][]float64 {
	st := NewLorenz63().NewStepper()
	x := []float64{1, 1, 1}
	for range 500 {
		st.Map(x, x)
	}
	out := make([][]float64, n)
	for i := range out {
		st.Map(x, x)
		out[i] = append([]float64(nil), x...)
	}
	return out
}

// TestLorenz63MapIsRK4 checks the specialised stepper against the generic
// RK4 driven by Deriv: the same scheme, written independently.
func TestLorenz63MapIsRK4(t *testing.T) {
	t.Parallel()
	l := NewLorenz63()
	st, rk := l.NewStepper(), NewRK4(3)
	for i, x := range append(attractorStates(200), []float64{0, 0, 0}, []float64{-20, 30, 5}) {
		got := make([]float64, 3)
		st.Map(got, x)
		want := append([]float64(nil), x...)
		rk.Step(l.Deriv, want, l.Dt)
		for d := range 3 {
			// Same operations in a different association order: a few ulps of O(50) values.
			if !scalar.EqualWithinAbsOrRel(got[d], want[d], 1e-12, 1e-13) {
				t.Fatalf("state %d, coordinate %d: Map = %.17g, RK4 = %.17g", i, d, got[d], want[d])
			}
		}
	}
}

// TestLorenz63MapAccuracy compares one Δ = 0.025 step with an accurate
// integration over the same interval (RK4 with 1000 sub-steps, whose own
// error is ~1000⁴ times smaller), on attractor states. RK4's local error is
// O(Δ⁵): halving Δ must divide the worst error by ≈ 2⁵ = 32, and at
// Δ = 0.025 it stays below 0.02 (|x| ~ 50, the fifth derivatives ~ 30⁵|x|).
func TestLorenz63MapAccuracy(t *testing.T) {
	t.Parallel()
	l := NewLorenz63()
	rk := NewRK4(3)
	states := attractorStates(300)
	worst := func(h float64) float64 {
		var w float64
		coarse := *l
		coarse.Dt = h
		cst := coarse.NewStepper()
		for _, x := range states {
			got := make([]float64, 3)
			cst.Map(got, x)
			ref := append([]float64(nil), x...)
			for range 1000 {
				rk.Step(l.Deriv, ref, h/1000)
			}
			w = max(w, math.Hypot(math.Hypot(got[0]-ref[0], got[1]-ref[1]), got[2]-ref[2]))
		}
		return w
	}
	e1, e2 := worst(l.Dt), worst(l.Dt/2)
	if e1 > 0.02 || e1 < 1e-5 {
		t.Errorf("worst one-step error at Δ = 0.025 is %.3g, want within (1e-5, 0.02)", e1)
	}
	// Order 5 of the local error: the ratio is 32 up to higher-order terms.
	if r := e1 / e2; r < 26 || r > 38 {
		t.Errorf("error ratio for Δ vs Δ/2 is %.2f, want ≈ 32 (local error O(Δ⁵))", r)
	}
}

func TestLorenz63Deriv(t *testing.T) {
	t.Parallel()
	l := NewLorenz63()
	dst := make([]float64, 3)
	l.Deriv(dst, []float64{1, 2, 3})
	// σ(b−a) = 10, a(ρ−c)−b = 25−2 = 23, ab−βc = 2−8 = −6.
	want := []float64{10, 23, -6}
	for d := range 3 {
		// Exact small-integer arithmetic except β·3 = 8 (one rounding).
		if !scalar.EqualWithinAbsOrRel(dst[d], want[d], 1e-14, 1e-15) {
			t.Errorf("Deriv[%d] = %v, want %v", d, dst[d], want[d])
		}
	}
}

// TestLorenz63PriorMoments checks the prior draws' mean and covariance
// against μ0 and Σ0, within 5 standard errors: Var(mean_i) = Σ_ii/N and
// Var(cov_ij) ≈ (Σ_ii Σ_jj + Σ_ij²)/N for Gaussian draws.
func TestLorenz63PriorMoments(t *testing.T) {
	t.Parallel()
	l := NewLorenz63()
	const n = 200_000
	rng := rand.New(rand.NewPCG(1, 2))
	var sum [3]float64
	var sxx [3][3]float64
	x := make([]float64, 3)
	for range n {
		l.SamplePrior(x, rng)
		for i := range 3 {
			sum[i] += x[i]
			for j := range 3 {
				sxx[i][j] += x[i] * x[j]
			}
		}
	}
	S := l.Cov0
	for i := range 3 {
		m := sum[i] / n
		if se := math.Sqrt(S[i][i] / n); math.Abs(m-l.Mu0[i]) > 5*se {
			t.Errorf("mean[%d] = %.4f, want %.4f ± %.4f", i, m, l.Mu0[i], 5*se)
		}
		for j := range 3 {
			c := sxx[i][j]/n - sum[i]/n*sum[j]/n
			if se := math.Sqrt((S[i][i]*S[j][j] + S[i][j]*S[i][j]) / n); math.Abs(c-S[i][j]) > 5*se {
				t.Errorf("cov[%d][%d] = %.3f, want %.3f ± %.3f", i, j, c, S[i][j], 5*se)
			}
		}
	}
}

func TestLorenz63Standardize(t *testing.T) {
	t.Parallel()
	l := NewLorenz63()
	x := []float64{8, -9, 25, 0, 0, 33.6, -4, 4.5, 16.4}
	// (x − (0, 0, 25)) / (8, 9, 8.6) by hand.
	want := []float64{1, -1, 0, 0, 0, 1, -0.5, 0.5, -1}
	got := make([]float64, len(x))
	l.Standardize(got, x)
	back := make([]float64, len(x))
	l.Unstandardize(back, got)
	for i := range x {
		// One subtraction and one division: a few ulps.
		if !scalar.EqualWithinAbsOrRel(got[i], want[i], 1e-14, 1e-14) {
			t.Errorf("Standardize[%d] = %.17g, want %v", i, got[i], want[i])
		}
		// Round trip: two roundings on O(30) values.
		if !scalar.EqualWithinAbsOrRel(back[i], x[i], 1e-13, 1e-15) {
			t.Errorf("Unstandardize(Standardize)[%d] = %.17g, want %v", i, back[i], x[i])
		}
	}
	l.Standardize(x, x) // in place
	for i := range x {
		if x[i] != got[i] {
			t.Fatalf("in-place Standardize differs at %d: %v vs %v", i, x[i], got[i])
		}
	}
}

func TestLorenz63Validate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(*Lorenz63)
		ok     bool
	}{
		{"defaults", func(*Lorenz63) {}, true},
		{"zero dt", func(l *Lorenz63) { l.Dt = 0 }, false},
		{"negative noise", func(l *Lorenz63) { l.Q = -1 }, false},
		{"NaN rho", func(l *Lorenz63) { l.Rho = math.NaN() }, false},
		{"zero scale", func(l *Lorenz63) { l.Scale[1] = 0 }, false},
		{"infinite mean", func(l *Lorenz63) { l.Mu0[2] = math.Inf(1) }, false},
		{"asymmetric cov", func(l *Lorenz63) { l.Cov0[0][1] = 49 }, false},
		{"indefinite cov", func(l *Lorenz63) { l.Cov0[0][1], l.Cov0[1][0] = 80, 80 }, false},
		{"singular cov", func(l *Lorenz63) { l.Cov0[2][2] = 0 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := NewLorenz63()
			tc.modify(l)
			err := l.Validate()
			if tc.ok && err != nil {
				t.Fatalf("Validate() = %v, want nil", err)
			}
			if !tc.ok && !errors.Is(err, ErrParams) {
				t.Fatalf("Validate() = %v, want ErrParams", err)
			}
		})
	}
}

func TestLorenz63NoAlloc(t *testing.T) {
	l := NewLorenz63()
	st, ch := l.NewStepper(), NewChain(l)
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := []float64{1, 2, 20}, make([]float64, 3)
	for name, f := range map[string]func(){
		"Map":              func() { st.Map(y, x) },
		"Transition":       func() { ch.Transition(y, x, rng) },
		"TransitionLogPDF": func() { _ = ch.TransitionLogPDF(y, x) },
		"SamplePrior":      func() { l.SamplePrior(y, rng) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s allocated %v times per call, want 0", name, n)
		}
	}
}
