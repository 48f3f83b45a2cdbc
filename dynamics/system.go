package dynamics

import (
	"math"
	"math/rand/v2"
)

// A System is a discrete-time stochastic dynamical system on states of D
// values,
//
//	x_0 ~ prior,   x_{i+1} ~ N(M(x_i), q·I),
//
// with a deterministic map M (evaluated by a Stepper), a noise variance q
// shared by all coordinates, and an affine standardisation. Methods other
// than NewStepper must be safe for concurrent use: Generate and the
// filters call them from several goroutines.
type System interface {
	// StateShape returns the shape of one state, e.g. [3] for Lorenz 63;
	// a state is stored as D = Π StateShape values, row-major.
	StateShape() []int

	// NewStepper returns fresh scratch space that evaluates M. A Stepper
	// belongs to one goroutine.
	NewStepper() Stepper

	// NoiseVar returns q, the variance of each coordinate of the
	// transition noise.
	NoiseVar() float64

	// SamplePrior writes a draw from the initial prior into dst (length D).
	SamplePrior(dst []float64, rng *rand.Rand)

	// Standardize writes the standardised states of x into dst. x holds
	// whole states, (…, D) row-major; dst may be x itself.
	Standardize(dst, x []float64)

	// Unstandardize inverts Standardize; dst may be x itself.
	Unstandardize(dst, x []float64)

	// Validate reports, with an error wrapping ErrParams, parameters
	// that do not define a proper chain.
	Validate() error
}

// StateSize returns D, the number of values of one state of sys.
func StateSize(sys System) int { return ShapeSize(sys.StateShape()) }

// ShapeSize returns the number of values of an array of that shape: the
// product of its dimensions (1 for an empty shape).
func ShapeSize(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// A Stepper evaluates the deterministic map M of a System.
type Stepper interface {
	// Map writes M(x) into dst. Both have length D, and dst may be the
	// same slice as x (but must not partially overlap it). Map does not
	// allocate.
	Map(dst, x []float64)
}

// A Chain is a System together with the scratch space for its transitions:
// the noisy transition and the closed-form transition log-density. A Chain
// belongs to one goroutine; make one per worker with NewChain.
type Chain struct {
	sys  System
	st   Stepper
	d    int
	q    float64
	sd   float64   // √q
	lnZ  float64   // −½·ln(2πq), the log-normaliser of one coordinate
	mean []float64 // scratch for M(x), length D
}

// NewChain returns a Chain for sys with its own Stepper.
func NewChain(sys System) *Chain {
	q := sys.NoiseVar()
	return &Chain{
		sys:  sys,
		st:   sys.NewStepper(),
		d:    StateSize(sys),
		q:    q,
		sd:   math.Sqrt(q),
		lnZ:  -0.5 * math.Log(2*math.Pi*q),
		mean: make([]float64, StateSize(sys)),
	}
}

// System returns the system c was made for.
func (c *Chain) System() System { return c.sys }

// Map writes the deterministic image M(x) into dst; dst may be x.
func (c *Chain) Map(dst, x []float64) { c.st.Map(dst, x) }

// Transition writes a draw of x' ~ N(M(x), q·I) into dst, taking D normal
// draws from rng in coordinate order. dst may be x itself. It does not
// allocate.
func (c *Chain) Transition(dst, x []float64, rng *rand.Rand) {
	c.st.Map(dst, x)
	dst = dst[:c.d]
	for i := range dst {
		dst[i] += c.sd * rng.NormFloat64()
	}
}

// Trajectory writes L = len(dst)/D successive transitions starting from x0
// into dst, (L, D) row-major; x0 itself is not written. It panics if
// len(dst) is not a multiple of D.
func (c *Chain) Trajectory(dst, x0 []float64, rng *rand.Rand) {
	d := c.d
	if len(dst)%d != 0 || len(x0) != d {
		panic("dynamics: Chain.Trajectory needs len(dst) a multiple of D and len(x0) == D")
	}
	prev := x0
	for off := 0; off < len(dst); off += d {
		cur := dst[off : off+d]
		c.Transition(cur, prev, rng)
		prev = cur
	}
}

// TransitionLogPDF returns the transition log-density
//
//	log p(next | x) = Σ_d log N(next_d; M(x)_d, q)
//	                = −(D/2)·ln(2πq) − ‖next − M(x)‖² / (2q)
//
// (docs/method.md §1.1). It panics if the lengths are not D.
func (c *Chain) TransitionLogPDF(next, x []float64) float64 {
	if len(next) != c.d || len(x) != c.d {
		panic("dynamics: Chain.TransitionLogPDF needs length-D states")
	}
	c.st.Map(c.mean, x)
	var ss float64
	for i, m := range c.mean {
		r := next[i] - m
		ss += r * r
	}
	return float64(c.d)*c.lnZ - ss/(2*c.q)
}

// TrajectoryLogPrior returns the log-density of a trajectory's transitions
// given its first state,
//
//	log p(x_{2:L} | x_1) = Σ_{i=1}^{L−1} log p(x_{i+1} | x_i),
//
// metric 1 of docs/method.md §6.2. traj is (L, D) row-major, in physical
// units; a trajectory of one state gives 0. It panics if len(traj) is not a
// positive multiple of D.
func (c *Chain) TrajectoryLogPrior(traj []float64) float64 {
	d := c.d
	if len(traj) == 0 || len(traj)%d != 0 {
		panic("dynamics: Chain.TrajectoryLogPrior needs (L, D) with L ≥ 1")
	}
	var s float64
	for off := d; off < len(traj); off += d {
		s += c.TransitionLogPDF(traj[off:off+d], traj[off-d:off])
	}
	return s
}
