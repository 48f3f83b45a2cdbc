package filters

import "fmt"

// Defaults of docs/method.md §6.1 (eval.py): 2¹⁴ particles, a 64-transition
// burn-in from the prior, the first 1024 paths kept.
const (
	DefaultParticles = 1 << 14
	DefaultBurnIn    = 64
	DefaultKeep      = 1024
)

// Config holds the sizes and seed of one bootstrap particle filter run.
type Config struct {
	Particles int    // M, the number of particles
	BurnIn    int    // transitions from the prior draw to x_0, keeping only x_0
	Step      int    // transitions between observations: 8 for "lo", 1 for "hi"
	Obs       int    // number of observations: 9 for "lo", 65 for "hi"
	Keep      int    // paths returned, the first Keep after the last resampling
	Seed      uint64 // seed of every stream the run draws from
}

// DefaultConfig returns the method notes' configuration for observations every
// step transitions, obs of them: for the Lorenz scenarios "lo" is
// DefaultConfig(8, 9, seed) and "hi" DefaultConfig(1, 65, seed), both
// giving paths of 65 states.
func DefaultConfig(step, obs int, seed uint64) Config {
	return Config{Particles: DefaultParticles, BurnIn: DefaultBurnIn, Step: step, Obs: obs, Keep: DefaultKeep, Seed: seed}
}

// Length returns L = 1 + (Obs−1)·Step, the number of states per returned
// path: the path from the first observed state to the last.
func (c Config) Length() int { return 1 + (c.Obs-1)*c.Step }

// Validate reports, wrapping ErrConfig, a Config with fewer than one
// particle, observation, step or kept path, a negative burn-in, or more
// kept paths than particles. Particle indices are stored as int32, so
// Particles must also be below 2³¹.
func (c Config) Validate() error {
	switch {
	case c.Particles < 1 || c.Particles >= 1<<31:
		return fmt.Errorf("%w: Particles = %d, want 1 ≤ Particles < 2³¹", ErrConfig, c.Particles)
	case c.BurnIn < 0:
		return fmt.Errorf("%w: BurnIn = %d, want ≥ 0", ErrConfig, c.BurnIn)
	case c.Step < 1:
		return fmt.Errorf("%w: Step = %d, want ≥ 1", ErrConfig, c.Step)
	case c.Obs < 1:
		return fmt.Errorf("%w: Obs = %d, want ≥ 1", ErrConfig, c.Obs)
	case c.Keep < 1 || c.Keep > c.Particles:
		return fmt.Errorf("%w: Keep = %d, want 1 ≤ Keep ≤ Particles = %d", ErrConfig, c.Keep, c.Particles)
	}
	return nil
}

// String describes the configuration, e.g. for log lines.
func (c Config) String() string {
	return fmt.Sprintf("BPF{M=%d, burn-in %d, %d obs every %d, keep %d, seed %d}",
		c.Particles, c.BurnIn, c.Obs, c.Step, c.Keep, c.Seed)
}
