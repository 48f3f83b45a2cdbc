package assim

import (
	"math"
	"math/rand/v2"

	"sdapipe/dynamics"
)

// A Model is what the ensemble methods need of a dynamical system: the
// shape of a state (D = Π StateShape values, which the methods treat as
// a flat vector), the deterministic map M (a Stepper per goroutine) and
// the transition noise variance q of x_{i+1} ~ N(M(x_i), q·I). q may be 0
// (a deterministic model, as in DAPPER's benchmarks). Every
// dynamics.System is a Model.
type Model interface {
	StateShape() []int
	NewStepper() dynamics.Stepper
	NoiseVar() float64
}

// A TangentModel also differentiates M, as 4D-Var needs: its
// TangentStepper evaluates J_M(x)·v and J_M(x)ᵀ·λ. *dynamics.Lorenz63 is
// one.
type TangentModel interface {
	StateShape() []int
	NoiseVar() float64
	NewTangentStepper() dynamics.TangentStepper
}

// stateSize returns D, the number of values of one state of m.
func stateSize(m interface{ StateShape() []int }) int { return dynamics.ShapeSize(m.StateShape()) }

// A PriorSampler draws initial states; dynamics.System has this method.
type PriorSampler interface {
	Model
	SamplePrior(dst []float64, rng *rand.Rand)
}

// forecaster advances states by one transition of a Model.
type forecaster struct {
	st dynamics.Stepper
	d  int
	sd float64 // √q
}

func newForecaster(m Model) forecaster {
	return forecaster{st: m.NewStepper(), d: stateSize(m), sd: math.Sqrt(m.NoiseVar())}
}

// step writes M(x) + √q·ξ into dst, drawing ξ's D normal values from rng
// in coordinate order (none when q = 0). dst may be x.
func (f forecaster) step(dst, x []float64, rng *rand.Rand) {
	f.st.Map(dst, x)
	if f.sd == 0 {
		return
	}
	for i := range f.d {
		dst[i] += f.sd * rng.NormFloat64()
	}
}

// PriorEnsemble writes len(dst)/D draws of the state after burnIn
// transitions from the prior into dst, (N, D): the particle filter's
// initial ensemble (docs/method.md §6.1), which for a burn-in of a few
// dozen transitions samples the system's climatology. Member n takes its
// prior draw and then its transitions' noise from rng, members in order.
// It panics if len(dst) is not a multiple of D.
func PriorEnsemble(dst []float64, sys PriorSampler, burnIn int, rng *rand.Rand) {
	d := stateSize(sys)
	if len(dst)%d != 0 {
		panic("assim: PriorEnsemble needs len(dst) a multiple of D")
	}
	f := newForecaster(sys)
	for off := 0; off < len(dst); off += d {
		x := dst[off : off+d]
		sys.SamplePrior(x, rng)
		for range burnIn {
			f.step(x, x, rng)
		}
	}
}

// Climatology estimates the mean and covariance (D×D, row-major, divided by
// n − 1) of the system's stationary distribution from one long run: a prior
// draw, burnIn transitions discarded, then n states averaged. These are
// the background x_b and B of 4D-Var's climatological prior. It panics
// if n < 2.
func Climatology(sys PriorSampler, burnIn, n int, rng *rand.Rand) (mean, cov []float64) {
	if n < 2 {
		panic("assim: Climatology needs n ≥ 2 states")
	}
	d := stateSize(sys)
	f := newForecaster(sys)
	x := make([]float64, d)
	sys.SamplePrior(x, rng)
	for range burnIn {
		f.step(x, x, rng)
	}
	// Welford's update keeps the covariance accurate for long runs.
	mean, cov = make([]float64, d), make([]float64, d*d)
	dx := make([]float64, d)
	for k := 1; k <= n; k++ {
		f.step(x, x, rng)
		for i := range d {
			dx[i] = x[i] - mean[i]
			mean[i] += dx[i] / float64(k)
		}
		for i := range d {
			for j := range d {
				cov[i*d+j] += dx[i] * (x[j] - mean[j])
			}
		}
	}
	for i := range d {
		for j := range i {
			// Welford's products differ from their transposes by rounding.
			s := 0.5 * (cov[i*d+j] + cov[j*d+i])
			cov[i*d+j], cov[j*d+i] = s, s
		}
	}
	for i := range cov {
		cov[i] /= float64(n - 1)
	}
	return mean, cov
}
