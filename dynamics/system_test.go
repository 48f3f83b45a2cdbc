package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// TestTransitionLogPDF compares with the product of three normal densities
// written out directly, at hand-picked residuals r = next − M(x).
func TestTransitionLogPDF(t *testing.T) {
	t.Parallel()
	l := NewLorenz63()
	tests := []struct {
		name string
		x, r []float64
	}{
		{"zero residual", []float64{1, 2, 20}, []float64{0, 0, 0}},
		{"small residual", []float64{1, 2, 20}, []float64{0.1, -0.2, 0.05}},
		{"one sd each", []float64{-8, -7, 27}, []float64{math.Sqrt(0.025), -math.Sqrt(0.025), math.Sqrt(0.025)}},
		{"large residual", []float64{5, 5, 5}, []float64{1, 2, -3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ch := NewChain(l)
			next := make([]float64, 3)
			ch.Map(next, tc.x)
			for d := range 3 {
				next[d] += tc.r[d]
			}
			q := 0.025
			p := 1.0
			for d := range 3 {
				p *= math.Exp(-tc.r[d]*tc.r[d]/(2*q)) / math.Sqrt(2*math.Pi*q)
			}
			want := math.Log(p)
			got := ch.TransitionLogPDF(next, tc.x)
			// The residual is recovered from next − M(x) with next ~ 30: cancellation
			// costs ~1e-14 absolute in r, hence ~1e-12 in r²/2q.
			if !scalar.EqualWithinAbsOrRel(got, want, 1e-11, 1e-12) {
				t.Errorf("TransitionLogPDF = %.15g, want %.15g", got, want)
			}
		})
	}
}

// TestTrajectoryLogPrior checks the two sanity values of docs/method.md §6.2:
// a noiseless trajectory of 65 states scores the maximum
// 192·(−½ ln(2π·0.025)) ≈ 177.70, and noisy simulated ones score
// 192·(−½ ln(2π·0.025) − ½) ≈ 81.70 on average. Each noisy score is the
// maximum minus ½χ²₁₉₂, whose standard deviation is √96 ≈ 9.8, so the
// mean of 2000 lies within 5·9.8/√2000 ≈ 1.1 of 81.70.
func TestTrajectoryLogPrior(t *testing.T) {
	t.Parallel()
	l := NewLorenz63()
	ch := NewChain(l)
	const L = 65
	lnZ := -0.5 * math.Log(2*math.Pi*0.025)
	traj := make([]float64, L*3)
	copy(traj, []float64{1, 2, 20})
	for i := 1; i < L; i++ {
		ch.Map(traj[3*i:3*i+3], traj[3*i-3:3*i])
	}
	// 192 terms summed: ~100 ulps of 177.
	if got, want := ch.TrajectoryLogPrior(traj), 192*lnZ; !scalar.EqualWithinAbsOrRel(got, want, 1e-10, 1e-12) {
		t.Errorf("log-prior of a noiseless trajectory = %.12g, want %.12g", got, want)
	}
	if got := ch.TrajectoryLogPrior(traj[:3]); got != 0 {
		t.Errorf("log-prior of a single state = %v, want 0", got)
	}
	const n = 2000
	data, err := Generate(l, n, 64, L, 7)
	if err != nil {
		t.Fatal(err)
	}
	var s float64
	for i := range n {
		s += ch.TrajectoryLogPrior(data[i*L*3 : (i+1)*L*3])
	}
	if got, want, tol := s/n, 192*(lnZ-0.5), 5*math.Sqrt(96.0/n); math.Abs(got-want) > tol {
		t.Errorf("mean log-prior of simulated trajectories = %.3f, want %.3f ± %.3f", got, want, tol)
	}
}

// TestTransitionNoise checks that x' − M(x) has mean 0 and variance q per
// coordinate, within 5 standard errors (√(q/N) and q·√(2/N)).
func TestTransitionNoise(t *testing.T) {
	t.Parallel()
	l := NewLorenz63()
	ch := NewChain(l)
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 100_000
	x, m, y := []float64{-3, 4, 18}, make([]float64, 3), make([]float64, 3)
	ch.Map(m, x)
	var s, ss [3]float64
	for range n {
		ch.Transition(y, x, rng)
		for d := range 3 {
			r := y[d] - m[d]
			s[d] += r
			ss[d] += r * r
		}
	}
	q := l.Q
	for d := range 3 {
		mean, v := s[d]/n, ss[d]/n-(s[d]/n)*(s[d]/n)
		if math.Abs(mean) > 5*math.Sqrt(q/n) {
			t.Errorf("coordinate %d: residual mean %.5f, want 0 ± %.5f", d, mean, 5*math.Sqrt(q/n))
		}
		if math.Abs(v-q) > 5*q*math.Sqrt(2.0/n) {
			t.Errorf("coordinate %d: residual variance %.5f, want %.5f ± %.5f", d, v, q, 5*q*math.Sqrt(2.0/n))
		}
	}
	// In place: dst == x gives the same draw as separate slices.
	r1, r2 := rand.New(rand.NewPCG(9, 9)), rand.New(rand.NewPCG(9, 9))
	ch.Transition(y, x, r1)
	z := append([]float64(nil), x...)
	ch.Transition(z, z, r2)
	for d := range 3 {
		if y[d] != z[d] {
			t.Fatalf("in-place Transition differs at %d: %v vs %v", d, z[d], y[d])
		}
	}
}

func TestChainPanicsOnShape(t *testing.T) {
	t.Parallel()
	ch := NewChain(NewLorenz63())
	for name, f := range map[string]func(){
		"TransitionLogPDF short":    func() { ch.TransitionLogPDF(make([]float64, 2), make([]float64, 3)) },
		"TrajectoryLogPrior ragged": func() { ch.TrajectoryLogPrior(make([]float64, 7)) },
		"TrajectoryLogPrior empty":  func() { ch.TrajectoryLogPrior(nil) },
		"Trajectory ragged":         func() { ch.Trajectory(make([]float64, 5), make([]float64, 3), nil) },
		"Map short":                 func() { ch.Map(make([]float64, 3), make([]float64, 4)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}
