package diffusion

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"

	"sdapipe/observe"
)

// tanhDen is the non-linear, non-symmetric test denoiser
// ε(x) = tanh(W x + c) per event of e values, with a float64 mirror for
// finite-difference references. Its VJP is Wᵀ(w ⊙ (1 − ε²)).
type tanhDen struct {
	e    int
	w, c []float32 // (e, e), (e)
	wbuf []float32
}

func newTanhDen(e int, rng *rand.Rand) *tanhDen {
	d := &tanhDen{e: e, w: make([]float32, e*e), c: make([]float32, e)}
	for i := range d.w {
		d.w[i] = float32(rng.NormFloat64() / math.Sqrt(float64(e)))
	}
	for i := range d.c {
		d.c[i] = float32(0.3 * rng.NormFloat64())
	}
	return d
}

func (d *tanhDen) Eps(dst, x []float32, n int, t float32) {
	for b := range n {
		for p := range d.e {
			s := d.c[p]
			for q := range d.e {
				s += d.w[p*d.e+q] * x[b*d.e+q]
			}
			dst[b*d.e+p] = float32(math.Tanh(float64(s)))
		}
	}
}

func (d *tanhDen) EpsVJP(eps, grad, x []float32, n int, t float32, cot func(eps, w []float32)) {
	d.Eps(eps, x, n, t)
	if cap(d.wbuf) < len(eps) {
		d.wbuf = make([]float32, len(eps))
	}
	w := d.wbuf[:len(eps)]
	cot(eps, w)
	clear(grad)
	for b := range n {
		for p := range d.e {
			u := w[b*d.e+p] * (1 - eps[b*d.e+p]*eps[b*d.e+p])
			for q := range d.e {
				grad[b*d.e+q] += u * d.w[p*d.e+q]
			}
		}
	}
}

// eps64 is Eps in float64 on one event.
func (d *tanhDen) eps64(dst, x []float64) {
	for p := range d.e {
		s := float64(d.c[p])
		for q := range d.e {
			s += float64(d.w[p*d.e+q]) * x[q]
		}
		dst[p] = math.Tanh(s)
	}
}

// guidanceSetup is a small guided problem: n events of shape (5, 2) under a
// saturating observation of three values per event.
type guidanceSetup struct {
	n, e  int
	den   *tanhDen
	op    observe.Operator
	x     []float32 // (n, e) diffused inputs
	y     []float32 // (n, M)
	sched VPCosine
	t     float32
}

func newGuidanceSetup(t *testing.T) *guidanceSetup {
	t.Helper()
	rng := rand.New(rand.NewPCG(21, 22))
	sel, err := observe.NewSelect(5, 2, []int{1, 0}, []int{4, 0})
	if err != nil {
		t.Fatal(err)
	}
	s := &guidanceSetup{n: 3, e: 10, den: newTanhDen(10, rng), op: observe.NewSaturate(sel), t: 0.4}
	s.x = make([]float32, s.n*s.e)
	for i := range s.x {
		s.x[i] = float32(rng.NormFloat64())
	}
	s.y = make([]float32, s.n*s.op.Outputs())
	for i := range s.y {
		s.y[i] = float32(0.8 * rng.NormFloat64())
	}
	return s
}

// residuals64 returns y − A(x̂) in float64 for all events, with x̂ built from
// the float64 denoiser, or from frozen ε values when frozen is not nil.
func (s *guidanceSetup) residuals64(x []float64, frozen []float64) []float64 {
	mu, sigma := s.sched.Mu(float64(s.t)), s.sched.Sigma(float64(s.t))
	m := s.op.Outputs()
	r := make([]float64, s.n*m)
	eps, xhat, a := make([]float64, s.e), make([]float64, s.e), make([]float64, m)
	for b := range s.n {
		xe := x[b*s.e : (b+1)*s.e]
		if frozen != nil {
			copy(eps, frozen[b*s.e:(b+1)*s.e])
		} else {
			s.den.eps64(eps, xe)
		}
		for i := range xe {
			xhat[i] = (xe[i] - sigma*eps[i]) / mu
		}
		s.op.Apply64(a, xhat)
		for j := range a {
			r[b*m+j] = float64(s.y[b*m+j]) - a[j]
		}
	}
	return r
}

// fdGrad returns the central-difference gradient of f at s.x in float64.
func (s *guidanceSetup) fdGrad(f func(x []float64) float64) []float64 {
	x := make([]float64, len(s.x))
	for i, v := range s.x {
		x[i] = float64(v)
	}
	g := make([]float64, len(x))
	const h = 1e-5
	for i := range x {
		x0 := x[i]
		x[i] = x0 + h
		fp := f(x)
		x[i] = x0 - h
		fm := f(x)
		x[i] = x0
		g[i] = (fp - fm) / (2 * h)
	}
	return g
}

// compareGrad checks got (float32, from the guided ε) against the float64
// finite differences. Tolerance: recovering the gradient as (ε − ε_post)/σ
// costs float32 rounding of O(1) values divided by σ ≈ 0.8 (≈ 1e-7), the
// central differences ~1e-10; 1e-4 abs+rel leaves room for the float32 x̂
// and A evaluations.
func compareGrad(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	for i := range want {
		if !scalar.EqualWithinAbsOrRel(float64(got[i]), want[i], 1e-4, 1e-4) {
			t.Errorf("%s: gradient[%d] = %.7g, finite difference %.7g", what, i, got[i], want[i])
		}
	}
}

// TestGaussianGuidanceGradient checks ε_post = ε − σ∇ log p̂ against finite
// differences of log p̂ = −½ Σ (y − A(x̂))²/v, with the gradient through a
// non-linear, non-symmetric denoiser and a non-linear operator, and with
// Detach against the gradient at frozen ε.
func TestGaussianGuidanceGradient(t *testing.T) {
	t.Parallel()
	s := newGuidanceSetup(t)
	const std, gamma = 0.3, 0.02
	mu, sigma := s.sched.Mu(float64(s.t)), s.sched.Sigma(float64(s.t))
	v := std*std + gamma*sigma*sigma/(mu*mu)
	eps := make([]float32, len(s.x))
	s.den.Eps(eps, s.x, s.n, s.t)
	frozen := make([]float64, len(eps))
	for i, e := range eps {
		frozen[i] = float64(e)
	}
	for _, detach := range []bool{false, true} {
		g := &GaussianGuidance{Inner: s.den, Op: s.op, Y: s.y, Std: std, Gamma: gamma, Sched: s.sched, Detach: detach}
		post := make([]float32, len(s.x))
		g.Eps(post, s.x, s.n, s.t)
		got := make([]float32, len(post))
		for i := range post {
			got[i] = float32((float64(eps[i]) - float64(post[i])) / sigma)
		}
		var fz []float64
		if detach {
			fz = frozen
		}
		want := s.fdGrad(func(x []float64) float64 {
			var lp float64
			for _, r := range s.residuals64(x, fz) {
				lp -= 0.5 * r * r / v
			}
			return lp
		})
		name := "through denoiser"
		if detach {
			name = "detached"
		}
		compareGrad(t, name, got, want)
	}
}

// TestDPSGuidanceGradient checks DPS's s = −ζ∇err/√err = −2ζ∇√err against
// finite differences of √err, err summed over the whole batch.
func TestDPSGuidanceGradient(t *testing.T) {
	t.Parallel()
	s := newGuidanceSetup(t)
	const zeta = 0.7
	sigma := s.sched.Sigma(float64(s.t))
	g := &DPSGuidance{Inner: s.den, Op: s.op, Y: s.y, Zeta: zeta, Sched: s.sched}
	eps, post := make([]float32, len(s.x)), make([]float32, len(s.x))
	s.den.Eps(eps, s.x, s.n, s.t)
	g.Eps(post, s.x, s.n, s.t)
	got := make([]float32, len(post))
	for i := range post { // ε_post = ε − σs = ε + 2σζ∇√err
		got[i] = float32((float64(post[i]) - float64(eps[i])) / (2 * sigma * zeta))
	}
	want := s.fdGrad(func(x []float64) float64 {
		var e float64
		for _, r := range s.residuals64(x, nil) {
			e += r * r
		}
		return math.Sqrt(e)
	})
	compareGrad(t, "DPS", got, want)
}

// TestGaussianGuidanceExact checks a case where SDA's likelihood
// approximation is exact. For an isotropic Gaussian prior N(m, s²I) the
// denoiser's posterior covariance is Cov[x | x(t)] = c²I with
//
//	c² = (1/s² + μ²/σ²)⁻¹ = σ²s² / (σ² + μ²s²),
//
// and for a selection A (AAᵀ = I) the true p(y | x(t)) is
// N(A x̂, (σ_y² + c²) I). The guidance's variance σ_y² + γ(σ/μ)² equals it
// for γ = μ²s² / (σ² + μ²s²), so with the exact prior denoiser the guided ε
// must equal the exact posterior ε, −σ∇ log p(x(t) | y), of the posterior
// Gaussian (built independently in closed form).
func TestGaussianGuidanceExact(t *testing.T) {
	t.Parallel()
	const l, d, n, s2, std = 6, 2, 8, 2.25, 0.2
	e := l * d
	rng := rand.New(rand.NewPCG(31, 32))
	m := make([]float64, e)
	for i := range m {
		m[i] = rng.NormFloat64()
	}
	prior := mat.NewSymDense(e, nil)
	for i := range e {
		prior.SetSym(i, i, s2)
	}
	op, err := observe.NewSelect(l, d, []int{0, 1}, []int{1, 4, 5})
	if err != nil {
		t.Fatal(err)
	}
	y64 := make([]float64, op.Outputs())
	y := make([]float32, n*op.Outputs())
	for j := range y64 {
		y64[j] = float64(float32(m[0] + rng.NormFloat64()))
	}
	for b := range n {
		for j, v := range y64 {
			y[b*len(y64)+j] = float32(v)
		}
	}
	mp, sp := posterior(m, prior, operatorMatrix(op), y64, std)
	sched := VPCosine{}
	exact := newGaussDen(mp, sp, sched)
	for _, tt := range []float32{0.05, 0.3, 0.5, 0.8, 0.95} {
		mu, sigma := sched.Mu(float64(tt)), sched.Sigma(float64(tt))
		gamma := mu * mu * s2 / (sigma*sigma + mu*mu*s2)
		g := &GaussianGuidance{Inner: newGaussDen(m, prior, sched), Op: op, Y: y,
			Std: std, Gamma: gamma, Sched: sched}
		x := make([]float32, n*e)
		for i := range x {
			x[i] = float32(mu*m[i%e] + math.Sqrt(mu*mu*s2+sigma*sigma)*rng.NormFloat64())
		}
		got, want := make([]float32, len(x)), make([]float32, len(x))
		g.Eps(got, x, n, tt)
		exact.Eps(want, x, n, tt)
		// float32 evaluation; x̂ = (x − σε)/μ loses about log10(σ/μ) digits
		// (σ/μ = 6.0 at t = 0.8, 29 at 0.9): 1e-5 relative covers t ≤ 0.95.
		if gap := relGap(got, want); gap > 1e-5 {
			t.Errorf("t = %v (γ = %.4g): ‖ε_guided − ε_exact‖/‖ε_exact‖ = %.3g, want ≤ 1e-5", tt, gamma, gap)
		}
	}
}

// operatorMatrix returns the Jacobian of a linear operator as a dense
// (M, L·D) matrix, read off Apply64 on unit vectors.
func operatorMatrix(op observe.Operator) *mat.Dense {
	l, d := op.Shape()
	m := op.Outputs()
	h := mat.NewDense(m, l*d, nil)
	unit, col := make([]float64, l*d), make([]float64, m)
	for i := range unit {
		clear(unit)
		unit[i] = 1
		op.Apply64(col, unit)
		for j, v := range col {
			h.Set(j, i, v)
		}
	}
	return h
}

func TestGuidanceValidate(t *testing.T) {
	s := newGuidanceSetup(t)
	for _, tc := range []struct {
		name string
		g    interface{ Validate() error }
	}{
		{"std and gamma zero", &GaussianGuidance{Inner: s.den, Op: s.op, Y: s.y, Sched: s.sched}},
		{"negative gamma", &GaussianGuidance{Inner: s.den, Op: s.op, Y: s.y, Std: 1, Gamma: -1, Sched: s.sched}},
		{"no inner", &GaussianGuidance{Op: s.op, Y: s.y, Std: 1, Sched: s.sched}},
		{"ragged y", &GaussianGuidance{Inner: s.den, Op: s.op, Y: s.y[1:], Std: 1, Sched: s.sched}},
		{"no schedule", &DPSGuidance{Inner: s.den, Op: s.op, Y: s.y, Zeta: 1}},
		{"NaN zeta", &DPSGuidance{Inner: s.den, Op: s.op, Y: s.y, Zeta: math.NaN(), Sched: s.sched}},
	} {
		if err := tc.g.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Validate() = %v, want ErrInvalid", tc.name, err)
		}
	}
	ok := &GaussianGuidance{Inner: s.den, Op: s.op, Y: s.y, Std: 0.1, Gamma: 0.01, Sched: s.sched}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid guidance: %v", err)
	}
}

// TestGuidanceNoAlloc runs both guidance kinds over a composite of a linear
// local denoiser: after the first call nothing allocates.
func TestGuidanceNoAlloc(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	c, err := NewComposite(newLinearDen(15, rng), 2, 65, 3)
	if err != nil {
		t.Fatal(err)
	}
	op, err := observe.NewSelect(65, 3, []int{0}, []int{0, 8, 16, 24, 32, 40, 48, 56, 64})
	if err != nil {
		t.Fatal(err)
	}
	const n = 4
	x := intSlice(n*65*3, rng)
	y := intSlice(n*op.Outputs(), rng)
	dst := make([]float32, len(x))
	for _, g := range []Denoiser{
		&GaussianGuidance{Inner: c, Op: op, Y: y, Std: 0.05, Gamma: 0.01, Sched: VPCosine{}},
		&GaussianGuidance{Inner: c, Op: op, Y: y, Std: 0.05, Gamma: 0.01, Sched: VPCosine{}, Detach: true},
		&DPSGuidance{Inner: c, Op: op, Y: y, Zeta: 1, Sched: VPCosine{}},
	} {
		g.Eps(dst, x, n, 0.5)
		if a := testing.AllocsPerRun(20, func() { g.Eps(dst, x, n, 0.5) }); a != 0 {
			t.Errorf("%T.Eps allocated %v times per call, want 0", g, a)
		}
	}
}
