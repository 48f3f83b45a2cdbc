// Package dynamics provides the discrete-time stochastic dynamical systems
// that serve as priors in score-based data assimilation (SDA, Rozet &
// Louppe 2023, docs/method.md §1.1):
//
//	x_{i+1} ~ N(M(x_i), q·I)
//
// where M is a deterministic map (one RK4 step of an ODE for Lorenz 63)
// and q the transition noise variance.
//
// A System describes such a chain: its dimension D, its noise variance,
// its initial prior and its standardisation. A Stepper is per-goroutine
// scratch that evaluates M without allocating. A Chain wraps a System and a
// Stepper and adds the noisy transition and the closed-form transition
// log-density; it, too, belongs to one goroutine. Generate simulates a
// dataset of trajectories in parallel, deterministically.
//
// Conventions:
//   - Functions and methods that write a result take it as the first
//     argument, dst, and never allocate. dst must not overlap the inputs
//     unless the comment says so; Stepper.Map and Chain.Transition accept
//     dst and x being the very same slice.
//   - States are []float64 of length D; sets of states are row-major
//     (…, D) arrays, e.g. a trajectory is (L, D) and a dataset (N, L, D).
//   - Everything here is in physical units and float64. Standardize maps
//     to the unit-scale space the score network sees; Unstandardize
//     inverts it.
//   - Randomness is an explicit *rand.Rand (math/rand/v2, PCG). Parallel
//     work draws from streams derived with StreamSeeds, one per fixed unit
//     of work, so results do not depend on GOMAXPROCS.
//   - Shape mismatches are programmer errors and panic with a message
//     prefixed "dynamics:"; bad sizes and diverging simulations are data
//     problems and return errors (see errors.go).
//
// The package imports nothing from the rest of sdapipe; filters and metrics
// build on it.
package dynamics
