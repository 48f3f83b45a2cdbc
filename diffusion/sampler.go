package diffusion

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// PC is the predictor–corrector sampler of SDA (Rozet & Louppe 2023,
// eqs. 16–17, Algorithm 4; docs/method.md §5). It integrates from t = 1 to t = 0 on
// the uniform grid t_s = 1 − s/Steps. Each step is an exponential-integrator
// predictor (deterministic DDIM for VP),
//
//	r = μ(t−Δt)/μ(t),   x ← r·x + (σ(t−Δt) − r·σ(t))·ε(x, t),
//
// followed by Corrections Langevin corrections at the new time t' = t − Δt,
//
//	e = ε(x, t'),  δ = τ / mean(e²) per event,  x ← x − σ(t')·(δ·e + √(2δ)·z),
//
// with z ~ N(0, I). It works in the ε form throughout and never divides by σ.
// The last corrections run at t' = 0 and the output is x(0) as is.
//
// Scratch space grows on first use; a PC is not safe for concurrent use.
type PC struct {
	Sched       Schedule
	Steps       int     // N ≥ 1; the paper uses 256
	Corrections int     // C ≥ 0
	Tau         float64 // τ > 0 when C > 0

	eps []float32
}

// Validate checks the sampler's configuration.
func (p *PC) Validate() error {
	switch {
	case p.Sched == nil:
		return invalid("sampler has no schedule")
	case p.Steps < 1:
		return invalid("sampler needs at least 1 step, got %d", p.Steps)
	case p.Corrections < 0:
		return invalid("sampler corrections must be ≥ 0, got %d", p.Corrections)
	case p.Corrections > 0 && !(p.Tau > 0 && !math.IsInf(p.Tau, 1)):
		return invalid("sampler tau must be positive and finite, got %g", p.Tau)
	}
	if v, ok := p.Sched.(interface{ Validate() error }); ok {
		return v.Validate()
	}
	return nil
}

// Predictor returns the exponential-integrator coefficients of the step
// from t to t − dt: x ← r·x + c·ε with
//
//	r = μ(t−dt)/μ(t),   c = σ(t−dt) − r·σ(t).
func Predictor(s Schedule, t, dt float64) (r, c float64) {
	r = s.Mu(t-dt) / s.Mu(t)
	return r, s.Sigma(t-dt) - r*s.Sigma(t)
}

// Sample is SampleContext without cancellation.
func (p *PC) Sample(x []float32, n int, den Denoiser, rng *rand.Rand, progress func(done, total int)) error {
	return p.SampleContext(context.Background(), x, n, den, rng, progress)
}

// SampleContext draws n events into x (n·E values, E = len(x)/n) from the
// distribution whose noise predictor is den. It first fills x with N(0, I)
// draws, then runs the steps; progress, if not nil, is called after each
// step with (done, Steps). Random numbers are drawn from rng in element
// order: the initial state, then the z of each correction.
//
// It returns an error wrapping ErrInvalid for a bad configuration, a
// *NonFiniteError (ErrNonFinite) naming the step when x stops being finite,
// or ctx.Err() when ctx is cancelled between steps. It panics if n < 1 or
// len(x) is not a positive multiple of n.
func (p *PC) SampleContext(ctx context.Context, x []float32, n int, den Denoiser, rng *rand.Rand, progress func(done, total int)) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if n < 1 || len(x) == 0 || len(x)%n != 0 {
		panic(fmt.Sprintf("diffusion: PC.Sample: len(x) = %d is not a positive multiple of n = %d", len(x), n))
	}
	if cap(p.eps) < len(x) {
		p.eps = make([]float32, len(x))
	}
	eps := p.eps[:len(x)]
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	N := float64(p.Steps)
	for s := range p.Steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		t, tn := 1-float64(s)/N, 1-float64(s+1)/N
		den.Eps(eps, x, n, float32(t))
		r, c := Predictor(p.Sched, t, t-tn)
		axpby(x, float32(r), eps, float32(c))
		if err := checkFinite(x, s, tn, "predictor"); err != nil {
			return err
		}
		for range p.Corrections {
			den.Eps(eps, x, n, float32(tn))
			p.correct(x, eps, n, p.Sched.Sigma(tn), rng)
			if err := checkFinite(x, s, tn, "corrector"); err != nil {
				return err
			}
		}
		if progress != nil {
			progress(s+1, p.Steps)
		}
	}
	return nil
}

// axpby sets x ← a·x + b·y.
func axpby(x []float32, a float32, y []float32, b float32) {
	y = y[:len(x)]
	for i := range x {
		x[i] = a*x[i] + b*y[i]
	}
}

// correct applies one Langevin correction to each of the n events of x,
// given e = ε(x, t') and sigma = σ(t').
func (p *PC) correct(x, e []float32, n int, sigma float64, rng *rand.Rand) {
	size := len(x) / n
	for b := range n {
		xe, ee := x[b*size:(b+1)*size], e[b*size:(b+1)*size]
		var ss float64
		for _, v := range ee {
			ss += float64(v) * float64(v)
		}
		delta := p.Tau * float64(size) / ss // τ / mean(e²)
		a, c := float32(sigma*delta), float32(sigma*math.Sqrt(2*delta))
		for i, v := range ee {
			xe[i] -= a*v + c*float32(rng.NormFloat64())
		}
	}
}

// checkFinite returns a *NonFiniteError for the first NaN or ±Inf in x.
func checkFinite(x []float32, step int, t float64, phase string) error {
	for i, v := range x {
		if v-v != 0 { // true exactly for NaN and ±Inf
			return &NonFiniteError{Step: step, T: t, Phase: phase, Index: i, Value: float64(v)}
		}
	}
	return nil
}
