package diffusion

import (
	"fmt"
	"math"

	"sdapipe/observe"
)

// GaussianGuidance turns a prior denoiser into a posterior one for
// observations y = A(x) + N(0, σ_y² I), with SDA's likelihood approximation
// (Rozet & Louppe 2023, eq. 15; docs/method.md §4.1):
//
//	x̂ = (x − σ ε(x, t)) / μ                 Tweedie mean
//	v = σ_y² + γ (σ/μ)²                      per-element variance
//	log p̂(y | x) = −½ Σ (y − A(x̂))² / v
//	ε_post = ε − σ ∇_x log p̂,
//
// where the gradient runs through the denoiser:
//
//	∇_x log p̂ = (1/μ)(I − σ ∂ε/∂x)ᵀ g,   g = J_A(x̂)ᵀ (y − A(x̂)) / v,
//
// computed with one Inner.EpsVJP whose cotangent is −(σ/μ)·g. With Detach
// the denoiser is treated as constant (∇ = g/μ) and Inner.Eps suffices.
//
// Events are trajectories of the operator's shape (L, D); Y holds one
// observation of M values per event, so a call must pass n = len(Y)/M
// events. GaussianGuidance implements Denoiser (and is not safe for
// concurrent use: it keeps scratch space).
type GaussianGuidance struct {
	Inner  DifferentiableDenoiser
	Op     observe.Operator
	Y      []float32 // (n, M) observations, one per event
	Std    float64   // σ_y ≥ 0
	Gamma  float64   // γ ≥ 0; σ_y and γ may not both be 0
	Sched  Schedule
	Detach bool // stop the gradient through Inner (unused in the paper)

	lik   likelihood
	grad  []float32 // (n, L, D) wᵀ ∂ε/∂x
	v     float64   // variance of the call in flight
	cotFn func(eps, w []float32)
}

// Validate checks the configuration.
func (g *GaussianGuidance) Validate() error {
	if err := validLikelihood(g.Inner, g.Op, g.Y, g.Sched); err != nil {
		return err
	}
	if !(g.Std >= 0 && g.Gamma >= 0) || g.Std == 0 && g.Gamma == 0 ||
		math.IsInf(g.Std, 0) || math.IsInf(g.Gamma, 0) {
		return invalid("Gaussian guidance needs finite std ≥ 0 and gamma ≥ 0, not both 0; got std %g, gamma %g",
			g.Std, g.Gamma)
	}
	return nil
}

// Eps writes ε_post for the n events of x at time t into dst. It panics if
// the configuration is invalid or lengths do not match n events and Y.
func (g *GaussianGuidance) Eps(dst, x []float32, n int, t float32) {
	if err := g.Validate(); err != nil {
		panic("diffusion: GaussianGuidance.Eps: " + err.Error())
	}
	l := &g.lik
	l.begin("GaussianGuidance", g.Op, g.Y, g.Sched, dst, x, n, t)
	ratio := l.sigma / l.mu
	g.v = g.Std*g.Std + g.Gamma*ratio*ratio
	if g.Detach {
		g.Inner.Eps(dst, x, n, t)
		l.residualGrad(dst, float32(1/g.v))
		axpy(dst, float32(-ratio), l.gx) // ε − σ·g/μ
		return
	}
	if cap(g.grad) < len(x) {
		g.grad = make([]float32, len(x))
	}
	g.grad = g.grad[:len(x)]
	if g.cotFn == nil {
		g.cotFn = g.cot
	}
	g.Inner.EpsVJP(dst, g.grad, x, n, t, g.cotFn)
	// ε − σ(g/μ + grad), grad = (−σ/μ · g)ᵀ ∂ε/∂x
	axpy(dst, float32(-ratio), l.gx)
	axpy(dst, float32(-l.sigma), g.grad)
}

// cot computes g from the denoiser's ε and returns the cotangent −(σ/μ)·g.
func (g *GaussianGuidance) cot(eps, w []float32) {
	l := &g.lik
	l.residualGrad(eps, float32(1/g.v))
	scaleTo(w, float32(-l.sigma/l.mu), l.gx)
}

// likelihood holds what both guidance kinds compute per call: the Tweedie
// mean x̂, the residual and J_Aᵀ·residual.
type likelihood struct {
	op        observe.Operator
	y, x      []float32
	n         int
	mu, sigma float64

	xhat []float32 // (n, L, D)
	res  []float32 // (n, M)
	gx   []float32 // (n, L, D)
}

func validLikelihood(inner Denoiser, op observe.Operator, y []float32, sched Schedule) error {
	switch {
	case inner == nil:
		return invalid("guidance has no inner denoiser")
	case op == nil:
		return invalid("guidance has no observation operator")
	case sched == nil:
		return invalid("guidance has no schedule")
	case len(y) == 0 || len(y)%op.Outputs() != 0:
		return invalid("guidance needs a positive number of observations of %d values, got %d values",
			op.Outputs(), len(y))
	}
	return nil
}

// begin checks lengths and records the call's inputs and schedule values.
func (l *likelihood) begin(who string, op observe.Operator, y []float32, sched Schedule, dst, x []float32, n int, t float32) {
	ld, dd := op.Shape()
	e, m := ld*dd, op.Outputs()
	if n*m != len(y) || len(x) != n*e || len(dst) != n*e {
		panic(fmt.Sprintf("diffusion: %s.Eps: len(x) = %d, len(dst) = %d for n = %d events of %d values; Y holds %d observations",
			who, len(x), len(dst), n, e, len(y)/m))
	}
	l.op, l.y, l.x, l.n = op, y, x, n
	l.mu, l.sigma = sched.Mu(float64(t)), sched.Sigma(float64(t))
	if cap(l.xhat) < len(x) {
		l.xhat, l.gx = make([]float32, len(x)), make([]float32, len(x))
	}
	if cap(l.res) < len(y) {
		l.res = make([]float32, len(y))
	}
	l.xhat, l.gx, l.res = l.xhat[:len(x)], l.gx[:len(x)], l.res[:len(y)]
}

// residualGrad forms x̂ from eps, the residual r = y − A(x̂) and
// gx = J_A(x̂)ᵀ·r·scale, per event. It returns Σ r² over the batch.
func (l *likelihood) residualGrad(eps []float32, scale float32) float64 {
	ld, dd := l.op.Shape()
	e, m := ld*dd, l.op.Outputs()
	// (x − σε)·(1/μ): the difference first, where x and σε nearly cancel.
	s, a := float32(l.sigma), float32(1/l.mu)
	for i, v := range l.x {
		l.xhat[i] = (v - s*eps[i]) * a
	}
	clear(l.gx)
	var ss float64
	for k := range l.n {
		xh, r := l.xhat[k*e:(k+1)*e], l.res[k*m:(k+1)*m]
		l.op.Apply32(r, xh)
		for j, y := range l.y[k*m : (k+1)*m] {
			d := y - r[j]
			ss += float64(d) * float64(d)
			r[j] = d * scale
		}
		l.op.VJP32(l.gx[k*e:(k+1)*e], xh, r)
	}
	return ss
}

// axpy sets y ← y + a·x.
func axpy(y []float32, a float32, x []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += a * x[i]
	}
}

// scaleTo sets dst ← a·x.
func scaleTo(dst []float32, a float32, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = a * x[i]
	}
}
