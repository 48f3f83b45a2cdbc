package dynamics

import (
	"fmt"
	"math"
	"math/rand/v2"

	"sdapipe/internal/chunks"
)

// TrajectoriesPerChunk is the number of trajectories one worker simulates
// at a time in Generate. It affects scheduling only, not the output.
const TrajectoriesPerChunk = 64

// Generate simulates nTraj independent trajectories of sys as in method
// docs/method.md §1.1: x_0 from the prior, burnIn transitions of which only the
// last state is kept, then length further transitions, which are the
// trajectory (the state after the burn-in is not stored). The result is
// (nTraj, length, D) row-major in physical units.
//
// Trajectory n draws all its randomness, in simulation order, from the
// stream NewStream(seed, n). Trajectories are simulated in parallel in
// fixed chunks of TrajectoriesPerChunk, so the bytes depend on (sys, seed)
// and the sizes only, not on GOMAXPROCS, and the first k trajectories of a
// larger run equal a run of k.
//
// Generate returns an error wrapping ErrSize if nTraj or length is < 1 or
// burnIn < 0, the error of sys.Validate, or a *NonFiniteError if a state
// is NaN or infinite.
func Generate(sys System, nTraj, burnIn, length int, seed uint64) ([]float64, error) {
	if nTraj < 1 || length < 1 || burnIn < 0 {
		return nil, fmt.Errorf("%w: Generate(nTraj %d, burnIn %d, length %d): want nTraj, length ≥ 1 and burnIn ≥ 0",
			ErrSize, nTraj, burnIn, length)
	}
	if err := sys.Validate(); err != nil {
		return nil, err
	}
	d := StateSize(sys)
	out := make([]float64, nTraj*length*d)
	nChunks := (nTraj + TrajectoriesPerChunk - 1) / TrajectoriesPerChunk
	err := chunks.Run(nChunks, func() func(int) error {
		ch := NewChain(sys)
		src := rand.NewPCG(0, 0)
		rng := rand.New(src)
		x := make([]float64, d)
		return func(c int) error {
			lo := c * TrajectoriesPerChunk
			hi := min(lo+TrajectoriesPerChunk, nTraj)
			for n := lo; n < hi; n++ {
				src.Seed(StreamSeeds(seed, uint64(n)))
				traj := out[n*length*d : (n+1)*length*d]
				if err := simulate(ch, traj, x, burnIn, rng); err != nil {
					err.Trajectory = n
					return err
				}
			}
			return nil
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// simulate draws one trajectory into traj, (length, D), using x (length D)
// as scratch for the burn-in. It reports the first non-finite state.
func simulate(ch *Chain, traj, x []float64, burnIn int, rng *rand.Rand) *NonFiniteError {
	ch.sys.SamplePrior(x, rng)
	if i := nonFinite(x); i >= 0 {
		return &NonFiniteError{Step: 0, Value: x[i]}
	}
	for step := 1; step <= burnIn; step++ {
		ch.Transition(x, x, rng)
		if i := nonFinite(x); i >= 0 {
			return &NonFiniteError{Step: step, Value: x[i]}
		}
	}
	d := len(x)
	prev := x
	for off, step := 0, burnIn+1; off < len(traj); off, step = off+d, step+1 {
		cur := traj[off : off+d]
		ch.Transition(cur, prev, rng)
		if i := nonFinite(cur); i >= 0 {
			return &NonFiniteError{Step: step, Value: cur[i]}
		}
		prev = cur
	}
	return nil
}

// nonFinite returns the index of the first NaN or infinite value in x, or −1.
func nonFinite(x []float64) int {
	for i, v := range x {
		if v-v != 0 { // NaN − NaN and Inf − Inf are NaN; finite v − v is 0
			return i
		}
	}
	return -1
}

// Split returns the sizes of the train, validation and test sets for n ≥ 0
// trajectories, taken in trajectory order as the reference does
// (train = ⌊0.8n⌋, valid = ⌊0.9n⌋ − ⌊0.8n⌋, test = the rest): 819, 102
// and 103 for n = 1024.
func Split(n int) (train, valid, test int) {
	i, j := 8*n/10, 9*n/10
	return i, j - i, n - j
}

// SplitFractions generalises Split to declared fractions of validation and
// test trajectories, taken in trajectory order: train = ⌊(1 − valid −
// test)·n⌋, valid = ⌊(1 − test)·n⌋ − train, test = the rest. With valid =
// test = 0.1 it equals Split(n). A product that lands within rounding
// (10⁻¹²·n) below a whole number counts as that number, so decimal
// fractions such as 0.1 split as written. It returns an error wrapping
// ErrSize unless 0 ≤ valid, test and valid + test ≤ 1.
func SplitFractions(n int, valid, test float64) (nTrain, nValid, nTest int, err error) {
	if n < 0 || !(valid >= 0 && test >= 0 && valid+test <= 1) {
		return 0, 0, 0, fmt.Errorf("%w: SplitFractions(%d, %v, %v): want n ≥ 0, fractions ≥ 0 summing to at most 1", ErrSize, n, valid, test)
	}
	floor := func(f float64) int {
		x := f * float64(n)
		return min(n, int(math.Floor(x+1e-12*float64(n))))
	}
	i := floor(1 - valid - test)
	j := max(i, floor(1-test))
	return i, j - i, n - j, nil
}
