// Package filters provides the ground-truth posteriors of the Lorenz
// evaluation (docs/method.md §6.1): a bootstrap particle filter (BPF) that
// returns whole particle paths, i.e. samples of the smoothing posterior
// p(x_{1:L} | y) of a dynamics.System under observations at regular
// intervals.
//
// The filter is generic over the observation model: the caller passes a
// LogLik callback giving log p(y_j | x) for observation j at a particle's
// state, so any observation operator (package observe) plugs in through a
// closure. States are in the system's physical units; a callback that
// observes standardised values standardises inside.
//
// Conventions:
//   - Paths are returned as (Keep, L, D) row-major float64.
//   - Randomness comes from streams derived with dynamics.StreamSeeds from
//     Config.Seed: per fixed chunk of ParticlesPerChunk particles for the
//     propagation, and one stream per resampling step. Results are
//     therefore bit-identical at any GOMAXPROCS.
//   - Paths are stored as per-block states plus ancestor indices, and only
//     the kept paths are traced back at the end: a resampling step moves
//     indices, never path data.
//   - Invalid configurations and degenerate weights return errors (see
//     errors.go); callbacks must be safe for concurrent use.
//
// The package imports dynamics only.
package filters
