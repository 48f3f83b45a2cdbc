package diffusion

import (
	"math"
	"math/rand/v2"
	"sdapipe/observe"
	"testing"
)

// TestMMPSMatchesExactPosterior: for a Gaussian prior and a linear
// operator the Tweedie covariance is exact, and so is MMPS's likelihood
// p(y | x(t)); with as many CG steps as observed values (3) CG solves the
// system exactly, so ε_post equals the exact posterior denoiser's ε at
// every t. The gap is float32 rounding of the ε and VJP products,
// amplified by K's conditioning (measured ≤ 2e-5 relative).
func TestMMPSMatchesExactPosterior(t *testing.T) {
	t.Parallel()
	p := newExactProblem(t)
	prior := newGaussDen(p.m, p.s, p.sched)
	post := newGaussDen(p.mp, p.sp, p.sched)
	const n = 5
	rng := rand.New(rand.NewPCG(61, 62))
	for _, tt := range []float32{0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99} {
		x := make([]float32, n*p.e)
		mu, sigma := p.sched.Mu(float64(tt)), p.sched.Sigma(float64(tt))
		for i := range x {
			x[i] = float32(mu*p.m[i%p.e] + sigma*rng.NormFloat64())
		}
		want := make([]float32, len(x))
		post.Eps(want, x, n, tt)
		var scale float64
		for i := range want {
			scale = math.Max(scale, math.Abs(float64(want[i])))
		}
		for _, solver := range []Solver{GMRES, CG} {
			g := &MMPSGuidance{Inner: prior, Op: p.op.(observe.Linearizable), Y: p.y32(n), Std: p.std, Sched: p.sched,
				Solver: solver, Iterations: 3}
			got := make([]float32, len(x))
			g.Eps(got, x, n, tt)
			var worst float64
			for i := range want {
				worst = math.Max(worst, math.Abs(float64(got[i]-want[i]))/scale)
			}
			t.Logf("t = %.2f, solver %d: largest |ε_MMPS − ε_post| / max|ε_post| = %.2g", tt, solver, worst)
			if worst > 1e-4 {
				t.Errorf("t = %.2f, solver %d: MMPS ε differs from the exact posterior's by %.3g of its scale", tt, solver, worst)
			}
		}
	}
	if calls := prior.calls; calls != 2*7*(1+4) {
		t.Errorf("%d network calls for 14 evaluations, want 14 × (1 Eps + 3 iterations + 1 score VJP)", calls)
	}
}

// TestMMPSSamplesExactPosterior: the check. Driven by MMPS over
// the exact prior with enough CG steps and no corrector, the sampler's
// output law at 64 steps is the one the exact posterior denoiser gives
// (propagated in closed form, as in TestPCExactDiscretisation) within
// Monte Carlo error at 5 standard errors; at 256 steps, where that law's
// own variance gap is 0.064, the samples match the closed-form posterior
// itself within Monte Carlo error.
func TestMMPSSamplesExactPosterior(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("Monte Carlo tier (about 3 s)")
	}
	p := newExactProblem(t)
	const n = 4096
	prior := newGaussDen(p.m, p.s, p.sched)
	g := &MMPSGuidance{Inner: prior, Op: p.op.(observe.Linearizable), Y: p.y32(n), Std: p.std, Sched: p.sched, Iterations: 3}
	mean, variance := runPC(t, &PC{Sched: p.sched, Steps: 64}, g, n, p.e, 7)
	wantMean, wantCov := propagate(exactAffine(newGaussDen(p.mp, p.sp, p.sched)), p.sched, p.e, 64, nil)
	checkMC(t, "MMPS C = 0, N = 64", n, mean, variance, wantMean, diag(wantCov))
	mean, variance = runPC(t, &PC{Sched: p.sched, Steps: 256}, g, n, p.e, 8)
	checkMC(t, "MMPS C = 0, N = 256 against the posterior", n, mean, variance, p.mp, diag(p.sp))
	mg, vg := p.gaps(mean, variance)
	t.Logf("MMPS, C = 0, N = 256: mean gap %.3g sd, variance gap %.3g against the true posterior", mg, vg)
}

// TestMMPSValidate rejects what it cannot run.
func TestMMPSValidate(t *testing.T) {
	p := newExactProblem(t)
	prior := newGaussDen(p.m, p.s, p.sched)
	good := MMPSGuidance{Inner: prior, Op: p.op.(observe.Linearizable), Y: p.y32(1), Std: p.std, Sched: p.sched, Iterations: 1}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*MMPSGuidance){
		"no noise":     func(g *MMPSGuidance) { g.Std = 0 },
		"no iteration": func(g *MMPSGuidance) { g.Iterations = 0 },
		"bad solver":   func(g *MMPSGuidance) { g.Solver = 7 },
		"tolerance 1":  func(g *MMPSGuidance) { g.Tol = 1 },
		"no operator":  func(g *MMPSGuidance) { g.Op = nil },
		"no schedule":  func(g *MMPSGuidance) { g.Sched = nil },
		"ragged y":     func(g *MMPSGuidance) { g.Y = g.Y[:2] },
		"nil denoiser": func(g *MMPSGuidance) { g.Inner = nil },
	} {
		g := good
		mod(&g)
		if g.Validate() == nil {
			t.Errorf("%s accepted", name)
		}
	}
}
