package kolmogorov

import (
	"context"
	"fmt"
	"math/rand/v2"

	"sdapipe/dynamics"
	"sdapipe/internal/chunks"
)

// StateLen returns the length 2·Resolution² of one stored state.
func (c Config) StateLen() int { return 2 * c.Resolution * c.Resolution }

// TrajectoryLen returns the length Snapshots·StateLen() of one stored
// trajectory.
func (c Config) TrajectoryLen() int { return c.Snapshots * c.StateLen() }

// Trajectory simulates one trajectory (docs/method.md §1.2) and writes it
// into dst, (Snapshots, 2, Resolution, Resolution) float32: the initial
// field from rng (InitialField), BurnIn snapshot intervals that are not
// stored, then Snapshots intervals whose end states are coarsened by
// Factor() and stored. x is the (2, N, N) float64 simulation state; on
// return it holds the last full-resolution state. Trajectory returns a
// *NonFiniteError (Trajectory 0) if the velocity stops being finite, or
// ctx.Err() if ctx is done before the end (it checks once per interval).
func (s *Solver) Trajectory(ctx context.Context, dst []float32, x []float64, rng *rand.Rand) error {
	cfg := s.cfg
	if len(dst) != cfg.TrajectoryLen() || len(x) != 2*s.n*s.n {
		panic("kolmogorov: Solver.Trajectory needs dst (Snapshots, 2, R, R) and x (2, N, N)")
	}
	s.InitialField(x, rng)
	d := cfg.StateLen()
	for k := 1; k <= cfg.BurnIn+cfg.Snapshots; k++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.Advance(x)
		if !allFinite(x) {
			return &NonFiniteError{Interval: k}
		}
		if t := k - cfg.BurnIn - 1; t >= 0 {
			s.coarsen32(dst[t*d:(t+1)*d], x)
		}
	}
	return nil
}

// coarsen32 writes the coarsened (2, R, R) state of the (2, N, N) field x
// into dst as float32.
func (s *Solver) coarsen32(dst []float32, x []float64) {
	c := s.coarse[:len(dst)]
	Coarsen(c, x, 2, s.n, s.n, s.cfg.Factor())
	for i, v := range c {
		dst[i] = float32(v)
	}
}

// Forecast re-simulates from a stored state, as the reference's physical
// consistency check does (docs/method.md §4.3): it upsamples the coarse
// (2, Resolution, Resolution) state x by Factor() (Upsample), advances it
// by len(dst)/StateLen() snapshot intervals and writes each interval's
// coarsened end state into dst, (intervals, 2, Resolution, Resolution). It
// returns a *NonFiniteError if the velocity stops being finite.
func (s *Solver) Forecast(dst, x []float64) error {
	d := s.cfg.StateLen()
	if len(x) != d || len(dst)%d != 0 {
		panic("kolmogorov: Solver.Forecast needs x (2, R, R) and dst (intervals, 2, R, R)")
	}
	r := s.cfg.Resolution
	fine := s.fine
	Upsample(fine, x, 2, r, r, s.cfg.Factor())
	for t := range len(dst) / d {
		s.Advance(fine)
		if !allFinite(fine) {
			return &NonFiniteError{Interval: t + 1}
		}
		Coarsen(dst[t*d:(t+1)*d], fine, 2, s.n, s.n, s.cfg.Factor())
	}
	return nil
}

func allFinite(x []float64) bool {
	for _, v := range x {
		if v-v != 0 { // NaN − NaN and Inf − Inf are NaN
			return false
		}
	}
	return true
}

// TrajectoriesPerChunk is the number of trajectories one worker simulates
// at a time in Generate. It affects scheduling only, not the output.
const TrajectoriesPerChunk = 1

// Generate simulates nTraj independent trajectories of cfg and returns
// them as (nTraj, Snapshots, 2, Resolution, Resolution) float32, in
// physical units and without standardisation.
//
// Trajectory n draws its initial field from the stream
// dynamics.NewStream(seed, n), as Lorenz trajectories do, and
// trajectories are simulated in parallel in fixed chunks, so the bytes
// depend on (cfg, seed) only, not on GOMAXPROCS, and the first k
// trajectories of a larger run equal a run of k.
//
// Generate returns an error wrapping ErrSize if nTraj < 1, ErrParams if
// cfg is invalid, a *NonFiniteError naming the first trajectory that
// diverged, or ctx.Err() if ctx is done first.
func Generate(ctx context.Context, cfg Config, nTraj int, seed uint64) ([]float32, error) {
	return GenerateProgress(ctx, cfg, nTraj, seed, nil)
}

// GenerateProgress is Generate that calls done, if not nil, after each
// trajectory it finishes, from whichever goroutine simulated it (done must
// be safe for concurrent use). A trajectory at the reference's size takes
// seconds, so a caller can show progress.
func GenerateProgress(ctx context.Context, cfg Config, nTraj int, seed uint64, done func()) ([]float32, error) {
	if nTraj < 1 {
		return nil, fmt.Errorf("%w: Generate(nTraj %d): want ≥ 1", ErrSize, nTraj)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	l := cfg.TrajectoryLen()
	out := make([]float32, nTraj*l)
	nChunks := (nTraj + TrajectoriesPerChunk - 1) / TrajectoriesPerChunk
	err := chunks.Run(nChunks, func() func(int) error {
		s, _ := NewSolver(cfg) // cfg is valid
		x := make([]float64, 2*cfg.Grid*cfg.Grid)
		src := rand.NewPCG(0, 0)
		rng := rand.New(src)
		return func(c int) error {
			for n := c * TrajectoriesPerChunk; n < min((c+1)*TrajectoriesPerChunk, nTraj); n++ {
				src.Seed(dynamics.StreamSeeds(seed, uint64(n)))
				err := s.Trajectory(ctx, out[n*l:(n+1)*l], x, rng)
				if nf, ok := err.(*NonFiniteError); ok {
					nf.Trajectory = n
				}
				if err != nil {
					return err
				}
				if done != nil {
					done()
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
