package diffusion

import (
	"fmt"
	"math/rand/v2"
)

// SampleWindows fills dst with len(dst)/(window·dim) training windows drawn
// uniformly, with replacement, from all sliding windows of all trajectories
// (docs/method.md §0, §2.9). data holds nTraj trajectories of length states of dim
// variables, row-major (nTraj, length, dim); a window is window consecutive
// states of one trajectory, flattened state-major into window·dim values,
// which in this layout is a contiguous slice of data.
//
// Each window costs one rng.IntN draw over the nTraj·(length−window+1)
// possible (trajectory, offset) pairs, in order. SampleWindows does not
// allocate. It returns an error wrapping ErrInvalid unless
// 1 ≤ window ≤ length, and panics if len(data) ≠ nTraj·length·dim or
// len(dst) is not a multiple of window·dim.
func SampleWindows(dst, data []float32, nTraj, length, dim, window int, rng *rand.Rand) error {
	if window < 1 || window > length {
		return invalid("window of %d states does not fit trajectories of %d states", window, length)
	}
	if nTraj < 1 || dim < 1 || len(data) != nTraj*length*dim {
		panic(fmt.Sprintf("diffusion: SampleWindows: len(data) = %d, want nTraj·length·dim = %d·%d·%d",
			len(data), nTraj, length, dim))
	}
	f := window * dim
	if len(dst)%f != 0 {
		panic(fmt.Sprintf("diffusion: SampleWindows: len(dst) = %d is not a multiple of window·dim = %d", len(dst), f))
	}
	offsets := length - window + 1
	for b := range len(dst) / f {
		k := rng.IntN(nTraj * offsets)
		start := ((k/offsets)*length + k%offsets) * dim
		copy(dst[b*f:(b+1)*f], data[start:start+f])
	}
	return nil
}

// Perturb draws the diffused training inputs of docs/method.md §2.2 for rows = len(ts)
// clean examples of x (rows, features):
//
//	t ~ U(0, 1) per row,  ε ~ N(0, I),  x(t) = μ(t)·x + σ(t)·ε.
//
// It writes t into ts, ε into eps and x(t) into xt. Per row it draws t
// first, then the features values of ε in order, so the result is a
// function of rng's state. μ and σ are evaluated in float64 at the float32
// t that a network will see. Perturb does not allocate; it panics unless
// len(x) = len(eps) = len(xt) = len(ts)·features.
func Perturb(xt, eps, x, ts []float32, features int, sched Schedule, rng *rand.Rand) {
	rows := len(ts)
	if features < 1 || len(x) != rows*features || len(eps) != len(x) || len(xt) != len(x) {
		panic(fmt.Sprintf("diffusion: Perturb: len(xt, eps, x) = (%d, %d, %d), want rows·features = %d·%d",
			len(xt), len(eps), len(x), rows, features))
	}
	for r := range rows {
		t := float32(rng.Float64())
		ts[r] = t
		mu, sigma := float32(sched.Mu(float64(t))), float32(sched.Sigma(float64(t)))
		lo, hi := r*features, (r+1)*features
		e, xr, xtr := eps[lo:hi], x[lo:hi], xt[lo:hi]
		for i := range e {
			e[i] = float32(rng.NormFloat64())
			xtr[i] = mu*xr[i] + sigma*e[i]
		}
	}
}
