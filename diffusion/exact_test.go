package diffusion

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"sdapipe/observe"
)

// This file runs the sampler on an exactly solvable problem: a stationary
// linear-Gaussian Markov chain x_{i+1} = A x_i + c + N(0, qI) in D = 2 over
// L = 8 states, observed through y = H x + N(0, σ_y² I) with H selecting
// variable 0 at states 0, 3 and 7. Prior and posterior are Gaussian in
// closed form (gaussian_test.go), and so is every exact denoiser.

type exactProblem struct {
	l, d, e int
	sched   VPCosine
	m       []float64 // prior mean
	s       *mat.SymDense
	op      observe.Operator
	std     float64
	y64     []float64
	mp      []float64 // posterior mean
	sp      *mat.SymDense
}

func newExactProblem(t *testing.T) *exactProblem {
	t.Helper()
	ch := arChain{
		D: 2,
		A: []*mat.Dense{mat.NewDense(2, 2, []float64{0.8, 0.3, -0.2, 0.7})}, // |λ| = 0.79
		c: []float64{0.3, -0.2},
		q: 0.4,
	}
	p := &exactProblem{l: 8, d: 2, e: 16, std: 0.1}
	p.m, p.s = ch.joint(p.l)
	op, err := observe.NewSelect(p.l, p.d, []int{0}, []int{0, 3, 7})
	if err != nil {
		t.Fatal(err)
	}
	p.op = op
	// y from one prior draw plus noise, rounded to float32 as the sampler sees it.
	truth := sampleGaussian(p.m, p.s, 1, rand.New(rand.NewPCG(41, 42)))[0]
	p.y64 = make([]float64, op.Outputs())
	op.Apply64(p.y64, truth)
	for j := range p.y64 {
		p.y64[j] = float64(float32(p.y64[j] + p.std*float64(j%2*2-1)*0.7))
	}
	p.mp, p.sp = posterior(p.m, p.s, operatorMatrix(op), p.y64, p.std)
	return p
}

// y32 tiles the observation over n events.
func (p *exactProblem) y32(n int) []float32 {
	y := make([]float32, n*len(p.y64))
	for i := range y {
		y[i] = float32(p.y64[i%len(p.y64)])
	}
	return y
}

// gaps compares a mean and per-coordinate variances with the posterior:
// the largest |mean − m_p| in posterior standard deviations and the largest
// |var/var_p − 1|.
func (p *exactProblem) gaps(mean, variance []float64) (meanGap, varGap float64) {
	for i := range p.e {
		vp := p.sp.At(i, i)
		meanGap = math.Max(meanGap, math.Abs(mean[i]-p.mp[i])/math.Sqrt(vp))
		varGap = math.Max(varGap, math.Abs(variance[i]/vp-1))
	}
	return meanGap, varGap
}

// affineEps gives an ε that is affine in x at each t: ε(x, t) = G x + h.
type affineEps func(t float32) (g *mat.Dense, h *mat.VecDense)

// exactAffine is the exact denoiser's ε = σΣ_t⁻¹ x − μσΣ_t⁻¹ m.
func exactAffine(den *gaussDen) affineEps {
	mv := mat.NewVecDense(len(den.m), append([]float64(nil), den.m...))
	return func(t float32) (*mat.Dense, *mat.VecDense) {
		p, mu := den.op(t)
		var h mat.VecDense
		h.MulVec(p, mv)
		h.ScaleVec(-mu, &h)
		return p, &h
	}
}

// guidedAffine is GaussianGuidance over the exact prior denoiser with a
// linear operator H, in closed form. With P = σΣ_t⁻¹ and B = (I − σP)/μ,
//
//	x̂ = B x + σPm,   ∇ log p̂ = B Hᵀ (y − H x̂) / v,   ε_post = ε − σ∇,
//
// so G = P + (σ/v) B HᵀH B and h = −μPm − (σ/v) B Hᵀ (y − σHPm).
func guidedAffine(prior *gaussDen, h *mat.Dense, y []float64, std, gamma float64) affineEps {
	e := len(prior.m)
	mv := mat.NewVecDense(e, append([]float64(nil), prior.m...))
	yv := mat.NewVecDense(len(y), append([]float64(nil), y...))
	return func(t float32) (*mat.Dense, *mat.VecDense) {
		p, mu := prior.op(t)
		sigma := prior.sched.Sigma(float64(t))
		v := std*std + gamma*sigma*sigma/(mu*mu)
		b := mat.NewDense(e, e, nil)
		b.Scale(-sigma/mu, p)
		for i := range e {
			b.Set(i, i, b.At(i, i)+1/mu)
		}
		var hb, g mat.Dense
		hb.Mul(h, b)
		g.Mul(hb.T(), &hb)
		g.Scale(sigma/v, &g)
		g.Add(&g, p)
		var pm, r, off, bias mat.VecDense
		pm.MulVec(p, mv)
		r.MulVec(h, &pm)
		r.AddScaledVec(yv, -sigma, &r) // y − σHPm
		off.MulVec(hb.T(), &r)         // B Hᵀ (…), B symmetric
		bias.ScaleVec(-mu, &pm)
		bias.AddScaledVec(&bias, -sigma/v, &off)
		return &g, &bias
	}
}

// propagate returns the exact law N(mean, cov) of the output of PC without
// corrections for an ε affine in x, started from N(0, I) or, when init is
// not nil, from N(μ(1)·init.m, μ(1)²·init.S + σ(1)²I), the true diffused
// law at t = 1. Every predictor step x ← r x + c(G x + h) is affine, so the
// law stays Gaussian.
func propagate(eps affineEps, sched Schedule, e, steps int, init *gaussDen) ([]float64, *mat.Dense) {
	mean := mat.NewVecDense(e, nil)
	cov := mat.NewDense(e, e, nil)
	if init != nil {
		mu1, s1 := sched.Mu(1), sched.Sigma(1)
		for i := range e {
			mean.SetVec(i, mu1*init.m[i])
			for j := range e {
				cov.Set(i, j, mu1*mu1*init.s.At(i, j))
			}
			cov.Set(i, i, cov.At(i, i)+s1*s1)
		}
	} else {
		for i := range e {
			cov.Set(i, i, 1)
		}
	}
	n := float64(steps)
	var m, tmp mat.Dense
	var nm mat.VecDense
	for s := range steps {
		t, tn := 1-float64(s)/n, 1-float64(s+1)/n
		g, h := eps(float32(t))
		r, c := Predictor(sched, t, t-tn)
		m.Scale(c, g) // M = rI + cG
		for i := range e {
			m.Set(i, i, m.At(i, i)+r)
		}
		nm.MulVec(&m, mean)
		mean.AddScaledVec(&nm, c, h)
		tmp.Mul(&m, cov)
		cov.Mul(&tmp, m.T())
	}
	return mean.RawVector().Data, cov
}

// diag returns the diagonal of a square matrix.
func diag(a mat.Matrix) []float64 {
	r, _ := a.Dims()
	d := make([]float64, r)
	for i := range d {
		d[i] = a.At(i, i)
	}
	return d
}

// TestPCExactDiscretisation propagates the exact output law of the
// corrector-free sampler driven by the exact posterior denoiser, in closed
// form (no Monte Carlo). The variance error is the predictor's first-order
// discretisation error: it must shrink at least 2.5× per 4× steps, tending
// to 4× (measured 0.674, 0.232, 0.0635, 0.0162 at N = 16, 64, 256, 1024,
// all in the sharply observed coordinates). The mean is exact for Gaussians once the
// sampler starts from the true law at t = 1 (measured 8e-15 sd); starting
// from N(0, I), as the sampler does, leaves a constant offset of about μ(1) = 1e-3
// in x(1) that the flow carries to 0.002 sd at every N.
func TestPCExactDiscretisation(t *testing.T) {
	t.Parallel()
	p := newExactProblem(t)
	den := newGaussDen(p.mp, p.sp, p.sched)
	prev := math.Inf(1)
	for _, steps := range []int{16, 64, 256, 1024} {
		mean, cov := propagate(exactAffine(den), p.sched, p.e, steps, nil)
		mg, vg := p.gaps(mean, diag(cov))
		t.Logf("N = %4d: mean gap %.3g sd, variance gap %.3g", steps, mg, vg)
		if vg > prev/2.5 || mg > 0.003 {
			t.Errorf("N = %d: gaps %.3g sd, %.3g; want variance gap ≤ %.3g (N/4's over 2.5) and mean gap ≤ 0.003 sd",
				steps, mg, vg, prev/2.5)
		}
		prev = vg
		mean, cov = propagate(exactAffine(den), p.sched, p.e, steps, den)
		// Rounding of ~10³ double-precision affine steps.
		if mg, _ := p.gaps(mean, diag(cov)); mg > 1e-10 {
			t.Errorf("N = %d from the true t = 1 law: mean gap %.3g sd, want ≤ 1e-10", steps, mg)
		}
	}
	if prev > 0.02 {
		t.Errorf("N = 1024: variance gap %.3g, want ≤ 0.02", prev)
	}
}

// runPC samples n events with the given sampler and denoiser and returns
// their moments.
func runPC(t *testing.T, pc *PC, den Denoiser, n, e int, seed uint64) (mean, variance []float64) {
	t.Helper()
	x := make([]float32, n*e)
	if err := pc.Sample(x, n, den, rand.New(rand.NewPCG(seed, 1)), nil); err != nil {
		t.Fatal(err)
	}
	return moments(x, n)
}

// checkMC compares sample moments with a Gaussian law coordinate by
// coordinate at 5 standard errors: |mean − m| ≤ 5 sd/√n and
// |var/v − 1| ≤ 5√(2/(n−1)). With 16 coordinates × 2 moments the chance
// that a correct sampler fails is below 1e-4, and seeds are fixed.
func checkMC(t *testing.T, what string, n int, mean, variance, wantMean, wantVar []float64) {
	t.Helper()
	meanTol, varTol := 5/math.Sqrt(float64(n)), 5*math.Sqrt(2/float64(n-1))
	for i := range mean {
		if z := math.Abs(mean[i]-wantMean[i]) / math.Sqrt(wantVar[i]); z > meanTol {
			t.Errorf("%s: mean[%d] = %.4g, want %.4g (off by %.3g sd, bound %.3g)", what, i, mean[i], wantMean[i], z, meanTol)
		}
		if r := variance[i]/wantVar[i] - 1; math.Abs(r) > varTol {
			t.Errorf("%s: variance[%d] = %.4g, want %.4g (ratio − 1 = %.3g, bound %.3g)", what, i, variance[i], wantVar[i], r, varTol)
		}
	}
}

// observed reports whether coordinate i is one that the problem observes.
func (p *exactProblem) observed(i int) bool { return p.sp.At(i, i) < 0.05 }

// TestPCExactPosterior drives the float32 sampler with the exact posterior
// denoiser. Without corrections its sample moments must match the
// propagated law of TestPCExactDiscretisation within Monte Carlo error
// alone. With one correction (τ = 0.25) means stay within Monte Carlo error
// plus 0.05 sd (measured ≤ 0.03) and unobserved variances within Monte
// Carlo error of [1, 1.15] (measured 1.04–1.11, the corrector's own
// τ-order inflation, cf. the fixed point 1 + τ/2 of TestCorrectorFixedPoint),
// but the sharply observed coordinates (posterior variance 0.0099 against
// a prior 1.29) come out inflated 3.4–3.6× (bound [1, 5]): δ = τ/mean(e²) is set by the whole event, so in a direction
// whose variance λ is far below the event's typical one the Langevin step
// is δ_s ≈ τ·(E/k)·λ for k such directions among E (here 0.25·16/3 ≈ 1.3λ),
// and one step from the right law leaves variance λ(1 + (δ_s/λ)²). That is
// the corrector of docs/method.md §5 at work, not a sampler bug; TestCorrectorFixedPoint
// checks the step itself against the closed form.
func TestPCExactPosterior(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("Monte Carlo tier (about 1.5 s)")
	}
	p := newExactProblem(t)
	const n, steps = 8192, 64
	den := newGaussDen(p.mp, p.sp, p.sched)
	mean, variance := runPC(t, &PC{Sched: p.sched, Steps: steps}, den, n, p.e, 1)
	wantMean, wantCov := propagate(exactAffine(den), p.sched, p.e, steps, nil)
	checkMC(t, "C = 0", n, mean, variance, wantMean, diag(wantCov))

	mean, variance = runPC(t, &PC{Sched: p.sched, Steps: steps, Corrections: 1, Tau: 0.25}, den, n, p.e, 2)
	meanTol, varTol := 5/math.Sqrt(n), 5*math.Sqrt(2.0/(n-1))
	for i := range p.e {
		vp := p.sp.At(i, i)
		z, ratio := math.Abs(mean[i]-p.mp[i])/math.Sqrt(vp), variance[i]/vp
		t.Logf("C = 1, coordinate %2d: mean off by %.3f sd, variance ratio %.3f", i, z, ratio)
		lo, hi := 1-varTol, 1.15+varTol
		if p.observed(i) {
			lo, hi = 1, 5
		}
		if z > meanTol+0.05 || ratio < lo || ratio > hi {
			t.Errorf("C = 1, coordinate %d: mean off by %.3g sd (bound %.3g), variance ratio %.3g outside [%.3g, %.3g]",
				i, z, meanTol+0.05, ratio, lo, hi)
		}
	}
}

// isoDen is the exact denoiser of N(m·1, λ I), in closed form.
type isoDen struct {
	m, lambda float64
	sched     Schedule
}

func (d isoDen) Eps(dst, x []float32, n int, t float32) {
	mu, sigma := d.sched.Mu(float64(t)), d.sched.Sigma(float64(t))
	a := sigma / (mu*mu*d.lambda + sigma*sigma)
	for i, v := range x {
		dst[i] = float32(a * (float64(v) - mu*d.m))
	}
}

// TestCorrectorFixedPoint checks one Langevin correction of docs/method.md §5 against
// its closed form. For the exact ε of an isotropic law N(μm, λ_t I) and an
// event whose mean square deviation is κλ_t, δ = τ/mean(e²) makes the step
//
//	u' = (1 − τ/κ) u − σ√(2δ) z,   E[κ'] = κ − 2τ + (τ² + 2τ)/κ,
//
// so from the right law (κ = 1) one correction gives κ = 1 + τ², and
// repeated corrections converge to the fixed point κ* = 1 + τ/2, while the
// mean stays μm. With E = 2000 values per event, κ is concentrated enough
// that the expectation holds to Monte Carlo error.
func TestCorrectorFixedPoint(t *testing.T) {
	t.Parallel()
	const n, e, tau, m, lambda = 64, 2000, 0.25, 0.7, 2.0
	sched := VPCosine{}
	const tt = 0.3
	mu, sigma := sched.Mu(tt), sched.Sigma(tt)
	lt := mu*mu*lambda + sigma*sigma
	den := isoDen{m: m, lambda: lambda, sched: sched}
	rng := rand.New(rand.NewPCG(51, 52))
	x, eps := make([]float32, n*e), make([]float32, n*e)
	for i := range x {
		x[i] = float32(mu*m + math.Sqrt(lt)*rng.NormFloat64())
	}
	p := &PC{Sched: sched, Steps: 1, Corrections: 1, Tau: tau}
	stats := func() (meanZ, kappa float64) {
		var s, ss float64
		for _, v := range x {
			d := float64(v) - mu*m
			s += d
			ss += d * d
		}
		k := float64(len(x))
		return s / k / math.Sqrt(lt/k), ss / k / lt
	}
	// Standard error of κ over n·E = 128,000 values: √(2/128000) ≈ 0.004.
	const tol = 0.02
	for step := 1; step <= 40; step++ {
		den.Eps(eps, x, n, float32(tt))
		p.correct(x, eps, n, sigma, rng)
		z, kappa := stats()
		var want float64
		switch step {
		case 1:
			want = 1 + tau*tau
		case 40:
			want = 1 + tau/2
		default:
			continue
		}
		if math.Abs(kappa-want) > tol || math.Abs(z) > 5 {
			t.Errorf("after %d corrections: variance ratio %.4f, want %.4f ± %v; mean off by %.2f standard errors",
				step, kappa, want, tol, z)
		}
	}
}

// TestPCGuidedGaussian samples with SDA's approximate guidance (γ = 1e-2,
// the paper's value) over the exact prior denoiser.
//
// Without corrections the guided ε is affine in x, so the sampler's output
// law is known in closed form: the float32 sampler must match it within
// Monte Carlo error, and its gap to the exact posterior is the
// approximation's own, measured without noise: the observed coordinates
// collapse to about 1% of their posterior variance (variance gap 0.996) and
// the means are off by up to 0.67 posterior sd. The likelihood variance
// σ_y² + γ(σ/μ)² is far below the true σ_y² + A Cov[x|x(t)] Aᵀ at middle t
// here (prior variance ≈ 1.3 against γ = 0.01), so guidance pulls too
// hard too early. Bounds: 0.8 sd and 0.999.
//
// With one correction (τ = 0.25) the means improve (measured 0.33 sd, bound
// 0.45) and observed variances come out inflated as in TestPCExactPosterior
// (measured up to 3.7×, bound 5×).
func TestPCGuidedGaussian(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("Monte Carlo tier (about 1 s)")
	}
	p := newExactProblem(t)
	const n, steps, gamma = 4096, 64, 1e-2
	prior := newGaussDen(p.m, p.s, p.sched)
	guided := func() *GaussianGuidance {
		return &GaussianGuidance{Inner: prior, Op: p.op, Y: p.y32(n), Std: p.std, Gamma: gamma, Sched: p.sched}
	}

	wantMean, wantCov := propagate(guidedAffine(prior, operatorMatrix(p.op), p.y64, p.std, gamma), p.sched, p.e, steps, nil)
	mg, vg := p.gaps(wantMean, diag(wantCov))
	t.Logf("guided, C = 0, closed form: mean gap %.3g sd, variance gap %.3g", mg, vg)
	if mg > 0.8 || vg > 0.999 {
		t.Errorf("guided C = 0 law: gaps %.3g sd, %.3g exceed 0.8, 0.999", mg, vg)
	}
	mean, variance := runPC(t, &PC{Sched: p.sched, Steps: steps}, guided(), n, p.e, 3)
	checkMC(t, "guided C = 0", n, mean, variance, wantMean, diag(wantCov))

	mean, variance = runPC(t, &PC{Sched: p.sched, Steps: steps, Corrections: 1, Tau: 0.25}, guided(), n, p.e, 4)
	mg, _ = p.gaps(mean, variance)
	var obsHi float64
	for i := range p.e {
		if p.observed(i) {
			obsHi = math.Max(obsHi, variance[i]/p.sp.At(i, i))
		}
	}
	t.Logf("guided, C = 1: mean gap %.3g sd, observed variance ratio up to %.3g", mg, obsHi)
	if mg > 0.45 || obsHi > 5 {
		t.Errorf("guided C = 1: mean gap %.3g sd (bound 0.45), observed variance ratio %.3g (bound 5)", mg, obsHi)
	}
}
