package dynamics

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Lorenz63 is the noisy Lorenz (1963) chain of docs/method.md §1.1: the ODE
//
//	ȧ = σ(b − a),   ḃ = a(ρ − c) − b,   ċ = a·b − β·c
//
// discretised by one classical RK4 step of size Δ (no sub-steps) as the
// map M, with transition noise N(0, q·I), an initial prior N(μ0, Σ0), and
// the standardisation x̃ = (x − Mean) / Scale. NewLorenz63 returns the
// method notes' values; the fields may be changed before use, after which
// Validate should be called. A Stepper copies the ODE parameters when it
// is made.
type Lorenz63 struct {
	Sigma, Rho, Beta float64       // σ, ρ, β of the ODE
	Dt               float64       // Δ, the RK4 step of M
	Q                float64       // q, transition noise variance per coordinate
	Mu0              [3]float64    // μ0, prior mean
	Cov0             [3][3]float64 // Σ0, prior covariance (symmetric positive definite)
	Mean, Scale      [3]float64    // standardisation x̃ = (x − Mean) / Scale
}

// NewLorenz63 returns the chain of docs/method.md §1.1: σ = 10, ρ = 28,
// β = 8/3, Δ = 0.025, q = Δ = 0.025, μ0 = (0, 0, 25),
// Σ0 = [[64, 50, 0], [50, 81, 0], [0, 0, 75]], standardisation mean
// (0, 0, 25) and scale (8, 9, 8.6).
func NewLorenz63() *Lorenz63 {
	return &Lorenz63{
		Sigma: 10, Rho: 28, Beta: 8.0 / 3,
		Dt:    0.025,
		Q:     0.025,
		Mu0:   [3]float64{0, 0, 25},
		Cov0:  [3][3]float64{{64, 50, 0}, {50, 81, 0}, {0, 0, 75}},
		Mean:  [3]float64{0, 0, 25},
		Scale: [3]float64{8, 9, 8.6},
	}
}

// StateShape returns [3].
func (l *Lorenz63) StateShape() []int { return []int{3} }

// Standardization returns the standardisation constants Mean and Scale.
func (l *Lorenz63) Standardization() Standardization {
	return Standardization{Mean: l.Mean[:], Scale: l.Scale[:], Inner: 1}
}

// NoiseVar returns Q.
func (l *Lorenz63) NoiseVar() float64 { return l.Q }

// Deriv writes the ODE's vector field dx/dt at x into dst. Both must have
// length 3; dst may be x.
func (l *Lorenz63) Deriv(dst, x []float64) {
	if len(dst) != 3 || len(x) != 3 {
		panic("dynamics: Lorenz63.Deriv needs length-3 slices")
	}
	a, b, c := x[0], x[1], x[2]
	dst[0] = l.Sigma * (b - a)
	dst[1] = a*(l.Rho-c) - b
	dst[2] = a*b - l.Beta*c
}

// NewStepper returns a Stepper specialised to Lorenz 63: one RK4 step on
// three scalars with no interface or function calls per stage.
func (l *Lorenz63) NewStepper() Stepper {
	return &lorenz63Stepper{sigma: l.Sigma, rho: l.Rho, beta: l.Beta, dt: l.Dt}
}

type lorenz63Stepper struct{ sigma, rho, beta, dt float64 }

// Map writes one classical RK4 step of size Δ from x into dst:
//
//	k1 = f(x), k2 = f(x + Δ/2·k1), k3 = f(x + Δ/2·k2), k4 = f(x + Δ·k3),
//	M(x) = x + Δ/6·(k1 + 2k2 + 2k3 + k4).
func (s *lorenz63Stepper) Map(dst, x []float64) {
	if len(dst) != 3 || len(x) != 3 {
		panic("dynamics: Lorenz63 Stepper.Map needs length-3 slices")
	}
	sg, rh, bt, h := s.sigma, s.rho, s.beta, s.dt
	a, b, c := x[0], x[1], x[2]
	h2 := 0.5 * h

	k1a, k1b, k1c := sg*(b-a), a*(rh-c)-b, a*b-bt*c
	a2, b2, c2 := a+h2*k1a, b+h2*k1b, c+h2*k1c
	k2a, k2b, k2c := sg*(b2-a2), a2*(rh-c2)-b2, a2*b2-bt*c2
	a3, b3, c3 := a+h2*k2a, b+h2*k2b, c+h2*k2c
	k3a, k3b, k3c := sg*(b3-a3), a3*(rh-c3)-b3, a3*b3-bt*c3
	a4, b4, c4 := a+h*k3a, b+h*k3b, c+h*k3c
	k4a, k4b, k4c := sg*(b4-a4), a4*(rh-c4)-b4, a4*b4-bt*c4

	h6 := h / 6
	dst[0] = a + h6*(k1a+2*k2a+2*k3a+k4a)
	dst[1] = b + h6*(k1b+2*k2b+2*k3b+k4b)
	dst[2] = c + h6*(k1c+2*k2c+2*k3c+k4c)
}

// chol0 returns the lower Cholesky factor of Cov0 and whether Cov0 is
// positive definite.
func (l *Lorenz63) chol0() (L [3][3]float64, ok bool) {
	S := &l.Cov0
	d0 := S[0][0]
	if !(d0 > 0) {
		return L, false
	}
	L[0][0] = math.Sqrt(d0)
	L[1][0] = S[1][0] / L[0][0]
	L[2][0] = S[2][0] / L[0][0]
	d1 := S[1][1] - L[1][0]*L[1][0]
	if !(d1 > 0) {
		return L, false
	}
	L[1][1] = math.Sqrt(d1)
	L[2][1] = (S[2][1] - L[2][0]*L[1][0]) / L[1][1]
	d2 := S[2][2] - L[2][0]*L[2][0] - L[2][1]*L[2][1]
	if !(d2 > 0) {
		return L, false
	}
	L[2][2] = math.Sqrt(d2)
	return L, true
}

// SamplePrior writes x0 = μ0 + C·z into dst, where C is the lower Cholesky
// factor of Σ0 and z three standard normal draws taken from rng in order.
// If Cov0 is not positive definite (Validate reports it) it writes NaNs.
func (l *Lorenz63) SamplePrior(dst []float64, rng *rand.Rand) {
	if len(dst) != 3 {
		panic("dynamics: Lorenz63.SamplePrior needs a length-3 dst")
	}
	C, ok := l.chol0()
	z0, z1, z2 := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
	if !ok {
		dst[0], dst[1], dst[2] = math.NaN(), math.NaN(), math.NaN()
		return
	}
	dst[0] = l.Mu0[0] + C[0][0]*z0
	dst[1] = l.Mu0[1] + C[1][0]*z0 + C[1][1]*z1
	dst[2] = l.Mu0[2] + C[2][0]*z0 + C[2][1]*z1 + C[2][2]*z2
}

// Standardize writes (x − Mean) / Scale into dst, elementwise over the
// states of x, (…, 3) row-major. dst may be x.
func (l *Lorenz63) Standardize(dst, x []float64) {
	checkStates("Lorenz63.Standardize", dst, x, 3)
	for i := 0; i < len(x); i += 3 {
		dst[i] = (x[i] - l.Mean[0]) / l.Scale[0]
		dst[i+1] = (x[i+1] - l.Mean[1]) / l.Scale[1]
		dst[i+2] = (x[i+2] - l.Mean[2]) / l.Scale[2]
	}
}

// Unstandardize writes x·Scale + Mean into dst, elementwise over the states
// of x, (…, 3) row-major. dst may be x.
func (l *Lorenz63) Unstandardize(dst, x []float64) {
	checkStates("Lorenz63.Unstandardize", dst, x, 3)
	for i := 0; i < len(x); i += 3 {
		dst[i] = x[i]*l.Scale[0] + l.Mean[0]
		dst[i+1] = x[i+1]*l.Scale[1] + l.Mean[1]
		dst[i+2] = x[i+2]*l.Scale[2] + l.Mean[2]
	}
}

// Validate reports, wrapping ErrParams, non-finite parameters, a
// non-positive step or noise variance, a zero scale, or a prior covariance
// that is not symmetric positive definite.
func (l *Lorenz63) Validate() error {
	if !finite(l.Sigma, l.Rho, l.Beta) {
		return fmt.Errorf("%w: Lorenz63 (σ, ρ, β) = (%v, %v, %v) are not all finite", ErrParams, l.Sigma, l.Rho, l.Beta)
	}
	if !(l.Dt > 0) || !finite(l.Dt) {
		return fmt.Errorf("%w: Lorenz63.Dt = %v, want a finite value > 0", ErrParams, l.Dt)
	}
	if !(l.Q > 0) || !finite(l.Q) {
		return fmt.Errorf("%w: Lorenz63.Q = %v, want a finite value > 0", ErrParams, l.Q)
	}
	if !finite(l.Mean[:]...) || !finite(l.Scale[:]...) || l.Scale[0] == 0 || l.Scale[1] == 0 || l.Scale[2] == 0 {
		return fmt.Errorf("%w: Lorenz63 standardisation (Mean %v, Scale %v) needs finite values and non-zero scales", ErrParams, l.Mean, l.Scale)
	}
	if !finite(l.Mu0[:]...) {
		return fmt.Errorf("%w: Lorenz63.Mu0 = %v is not finite", ErrParams, l.Mu0)
	}
	S := &l.Cov0
	if !finite(S[0][:]...) || !finite(S[1][:]...) || !finite(S[2][:]...) ||
		S[0][1] != S[1][0] || S[0][2] != S[2][0] || S[1][2] != S[2][1] {
		return fmt.Errorf("%w: Lorenz63.Cov0 = %v is not finite and symmetric", ErrParams, l.Cov0)
	}
	if _, ok := l.chol0(); !ok {
		return fmt.Errorf("%w: Lorenz63.Cov0 = %v is not positive definite", ErrParams, l.Cov0)
	}
	return nil
}

// finite reports whether no value is NaN or infinite.
func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// checkStates panics unless dst and x have the same length, a multiple of d.
func checkStates(fn string, dst, x []float64, d int) {
	if len(dst) != len(x) || len(x)%d != 0 {
		panic("dynamics: " + fn + " needs dst and x of equal length, a multiple of D")
	}
}
