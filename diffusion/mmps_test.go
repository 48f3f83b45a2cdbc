package diffusion

import (
	"math"
	"math/rand/v2"
	"sdapipe/observe"
	"testing"

	"gonum.org/v1/gonum/mat"
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
		for _, mode := range []struct {
			solver Solver
			jac    Jacobian
		}{{GMRES, Transpose}, {CG, Transpose}, {GMRES, Difference}} {
			solver := mode.solver
			g := &MMPSGuidance{Inner: prior, Op: p.op.(observe.Linearizable), Y: p.y32(n), Std: p.std, Sched: p.sched,
				Solver: solver, Jacobian: mode.jac, Iterations: 3}
			got := make([]float32, len(x))
			g.Eps(got, x, n, tt)
			var worst float64
			for i := range want {
				worst = math.Max(worst, math.Abs(float64(got[i]-want[i]))/scale)
			}
			t.Logf("t = %.2f, solver %d, Jacobian %d: largest |ε_MMPS − ε_post| / max|ε_post| = %.2g", tt, solver, mode.jac, worst)
			// Differences of float32 ε with h = 1e-2 of x's scale lose about
			// 1e-5 relative of J·v; the solve amplifies it at large σ/μ.
			if tol := map[Jacobian]float64{Transpose: 1e-4, Difference: 2e-3}[mode.jac]; worst > tol {
				t.Errorf("t = %.2f, solver %d, Jacobian %d: MMPS ε differs from the exact posterior's by %.3g of its scale", tt, solver, mode.jac, worst)
			}
		}
	}
	// Per evaluation: 1 Eps, 3 iterations (a VJP each, or two Eps by
	// differences) and the score's VJP.
	if calls := prior.calls; calls != 2*7*(1+4)+7*(1+6+1) {
		t.Errorf("%d network calls for 21 evaluations, want 14 × (1 + 3 + 1) + 7 × (1 + 3·2 + 1)", calls)
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

// affineDen is ε(x) = G x + c for a fixed, non-symmetric G (E × E): its
// VJP applies Gᵀ, its forward pass G.
type affineDen struct {
	g *mat.Dense
	c []float64
}

func (d affineDen) Eps(dst, x []float32, n int, t float32) {
	e := len(d.c)
	for k := range n {
		for i := range e {
			s := d.c[i]
			for j := range e {
				s += d.g.At(i, j) * float64(x[k*e+j])
			}
			dst[k*e+i] = float32(s)
		}
	}
}

func (d affineDen) EpsVJP(eps, grad, x []float32, n int, t float32, cot func(eps, w []float32)) {
	d.Eps(eps, x, n, t)
	w := make([]float32, len(eps))
	cot(eps, w)
	e := len(d.c)
	for k := range n {
		for j := range e {
			var s float64
			for i := range e {
				s += d.g.At(i, j) * float64(w[k*e+i])
			}
			grad[k*e+j] = float32(s)
		}
	}
}

// TestMMPSJacobianModes: with a non-symmetric denoiser Jacobian G, MMPS
// with Difference solves the system with the true ∂x̂/∂x = (I − σG)/μ and
// with Transpose with its transpose, each matching the closed form of its
// own matrix; the two differ. (The score's final product is Jᵀ in both.)
func TestMMPSJacobianModes(t *testing.T) {
	p := newExactProblem(t)
	e := p.e
	rng := rand.New(rand.NewPCG(71, 72))
	g := mat.NewDense(e, e, nil)
	for i := range e {
		for j := range e {
			g.Set(i, j, 0.3*rng.NormFloat64()/math.Sqrt(float64(e)))
		}
		g.Set(i, i, g.At(i, i)+0.5)
	}
	c := make([]float64, e)
	den := affineDen{g: g, c: c}
	x := make([]float32, e)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	const tt = 0.5
	mu, sigma := p.sched.Mu(tt), p.sched.Sigma(tt)
	h := operatorMatrix(p.op)
	want := func(jac *mat.Dense) []float64 {
		var eps mat.VecDense
		xv := mat.NewVecDense(e, nil)
		for i, v := range x {
			xv.SetVec(i, float64(v))
		}
		eps.MulVec(g, xv)
		var xhat, r mat.VecDense
		xhat.AddScaledVec(xv, -sigma, &eps)
		xhat.ScaleVec(1/mu, &xhat)
		r.MulVec(h, &xhat)
		r.ScaleVec(-1, &r)
		r.AddVec(mat.NewVecDense(len(p.y64), append([]float64(nil), p.y64...)), &r)
		var hj, k mat.Dense
		hj.Mul(h, jac)
		k.Mul(&hj, h.T())
		k.Scale(sigma*sigma/mu, &k)
		for i := range len(p.y64) {
			k.Set(i, i, k.At(i, i)+p.std*p.std)
		}
		var u, htu, grad mat.VecDense
		if err := u.SolveVec(&k, &r); err != nil {
			t.Fatal(err)
		}
		htu.MulVec(h.T(), &u)
		jTrue := trueJ(g, sigma, mu, e)
		grad.MulVec(jTrue.T(), &htu)
		out := make([]float64, e)
		for i := range out {
			out[i] = eps.AtVec(i) - sigma*grad.AtVec(i)
		}
		return out
	}
	jTrue := trueJ(g, sigma, mu, e)
	var jT mat.Dense
	jT.CloneFrom(jTrue.T())
	for _, tc := range []struct {
		mode Jacobian
		jac  *mat.Dense
	}{{Difference, jTrue}, {Transpose, &jT}} {
		m := &MMPSGuidance{Inner: den, Op: p.op.(observe.Linearizable), Y: p.y32(1), Std: p.std, Sched: p.sched,
			Jacobian: tc.mode, Iterations: 3}
		got := make([]float32, e)
		m.Eps(got, x, 1, tt)
		w, other := want(tc.jac), want(map[Jacobian]*mat.Dense{Difference: &jT, Transpose: jTrue}[tc.mode])
		var worst, apart float64
		for i := range got {
			worst = math.Max(worst, math.Abs(float64(got[i])-w[i]))
			apart = math.Max(apart, math.Abs(w[i]-other[i]))
		}
		// float32 network and difference rounding: 1e-3 absolute on ε of O(1).
		if worst > 1e-3 || apart < 10*worst {
			t.Errorf("Jacobian %d: off its closed form by %.3g; the two closed forms differ by %.3g", tc.mode, worst, apart)
		}
	}
}

// trueJ returns ∂x̂/∂x = (I − σG)/μ.
func trueJ(g *mat.Dense, sigma, mu float64, e int) *mat.Dense {
	j := mat.NewDense(e, e, nil)
	j.Scale(-sigma, g)
	for i := range e {
		j.Set(i, i, j.At(i, i)+1)
	}
	j.Scale(1/mu, j)
	return j
}
