package diffusion

import (
	"math"

	"sdapipe/observe"
)

// DPSGuidance is the diffusion posterior sampling baseline (Chung et al.
// 2022) as SDA's reference code implements it (docs/method.md §4.2):
//
//	x̂ = (x − σ ε(x, t)) / μ
//	err = ‖y − A(x̂)‖²            summed over every element of the batch
//	s = −ζ ∇_x err / √err          (= −2ζ ∇_x ‖y − A(x̂)‖)
//	ε_post = ε − σ s.
//
// The observation noise is ignored. Because err sums over the batch, the
// normalisation √err couples the events of one call, as in the reference.
// When err = 0 exactly the direction is undefined and ε is returned
// unchanged. The gradient runs through the denoiser with one Inner.EpsVJP.
// DPSGuidance implements Denoiser and is not safe for concurrent use.
type DPSGuidance struct {
	Inner DifferentiableDenoiser
	Op    observe.Operator
	Y     []float32 // (n, M) observations, one per event
	Zeta  float64   // ζ ≥ 0; the reference uses 1
	Sched Schedule

	lik   likelihood
	grad  []float32
	err   float64 // err of the call in flight
	cotFn func(eps, w []float32)
}

// Validate checks the configuration.
func (g *DPSGuidance) Validate() error {
	if err := validLikelihood(g.Inner, g.Op, g.Y, g.Sched); err != nil {
		return err
	}
	if !(g.Zeta >= 0) || math.IsInf(g.Zeta, 1) {
		return invalid("DPS guidance needs a finite zeta ≥ 0, got %g", g.Zeta)
	}
	return nil
}

// Eps writes ε_post for the n events of x at time t into dst. It panics if
// the configuration is invalid or lengths do not match n events and Y.
func (g *DPSGuidance) Eps(dst, x []float32, n int, t float32) {
	if err := g.Validate(); err != nil {
		panic("diffusion: DPSGuidance.Eps: " + err.Error())
	}
	l := &g.lik
	l.begin("DPSGuidance", g.Op, g.Y, g.Sched, dst, x, n, t)
	if cap(g.grad) < len(x) {
		g.grad = make([]float32, len(x))
	}
	g.grad = g.grad[:len(x)]
	if g.cotFn == nil {
		g.cotFn = g.cot
	}
	g.err = 0
	g.Inner.EpsVJP(dst, g.grad, x, n, t, g.cotFn)
	if g.err == 0 {
		return
	}
	// ∇_x err = −(2/μ)·gx + grad with grad = ((2σ/μ)·gx)ᵀ ∂ε/∂x, gx = J_Aᵀ r;
	// ε_post = ε + σζ ∇_x err / √err.
	c := l.sigma * g.Zeta / math.Sqrt(g.err)
	axpy(dst, float32(-c*2/l.mu), l.gx)
	axpy(dst, float32(c), g.grad)
}

// cot computes err and gx = J_Aᵀ r, and returns the cotangent (2σ/μ)·gx.
func (g *DPSGuidance) cot(eps, w []float32) {
	l := &g.lik
	g.err = l.residualGrad(eps, 1)
	scaleTo(w, float32(2*l.sigma/l.mu), l.gx)
}
