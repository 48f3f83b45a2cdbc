package assim

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// EnKFConfig configures the ensemble Kalman methods. The ensemble size N
// is the number of initial members passed to them.
type EnKFConfig struct {
	Update Update
	// Inflation multiplies the analysis anomalies, x_n ← x̄ + α·(x_n − x̄),
	// after every analysis (α ≥ 1; 0 means 1, none). It compensates for
	// the spread a finite ensemble loses.
	Inflation float64
	// Rotate applies a mean-preserving random rotation of the members
	// after every analysis (see rotation); it costs O(N³) per analysis.
	Rotate bool
}

func (c EnKFConfig) inflation() float64 {
	if c.Inflation == 0 {
		return 1
	}
	return c.Inflation
}

// Validate reports, wrapping ErrConfig, an unknown update or an inflation
// factor below 1 or not finite.
func (c EnKFConfig) Validate() error {
	if c.Update != PertObs && c.Update != Sqrt {
		return configErr("unknown update %v", c.Update)
	}
	if a := c.inflation(); !(a >= 1) || math.IsInf(a, 0) {
		return configErr("inflation %v, want a finite factor ≥ 1", c.Inflation)
	}
	return nil
}

// EnKF runs the ensemble Kalman filter over a window and writes the
// filtering ensembles into dst, (N, L, D): at each state the members after
// the analysis if it is observed, the forecast otherwise. x0 holds the N
// members of state 0 before its observation, (N, D), e.g. from
// PriorEnsemble; the window length L is len(dst)/(N·D).
//
// For each state t in order: t ≥ 1 forecasts every member one transition
// x ← M(x) + √q·ξ (members in order, D normal draws each, none when
// q = 0); an observed t is analysed with cfg.Update, then inflated, then
// rotated. PertObs draws N·P normal values per analysis and a rotation
// (N−1)²; all draws come from rng in this order.
//
// EnKF panics if len(x0) is not a multiple of D or len(dst) not a multiple
// of len(x0). It returns an error wrapping ErrConfig (fewer than 2 members,
// see EnKFConfig.Validate), ErrObservations, ErrSingular, or a
// *NonFiniteError.
func EnKF(dst []float64, m Model, x0 []float64, obs *Observations, cfg EnKFConfig, rng *rand.Rand) error {
	return runWindow(dst, m, x0, obs, cfg, false, rng)
}

// EnKS runs the ensemble Kalman smoother: EnKF's recursion, but each
// analysis at state t updates the members' whole paths x_0 … x_t with the
// same ensemble transform (Evensen & van Leeuwen 2000), so that dst,
// (N, L, D), ends as samples of the smoothing posterior p(x_{0:L−1} | y)
// in the linear-Gaussian limit. Inflation applies to the current state
// only (as in DAPPER; the past states are not re-inflated at every later
// analysis), while a rotation applies to the whole path, which keeps each
// member a coherent trajectory. Draws, panics and errors are EnKF's.
func EnKS(dst []float64, m Model, x0 []float64, obs *Observations, cfg EnKFConfig, rng *rand.Rand) error {
	return runWindow(dst, m, x0, obs, cfg, true, rng)
}

// windowShape checks the shapes of a window method and returns N and L.
func windowShape(fn string, dst, x0 []float64, d int) (n, length int) {
	if d < 1 || len(x0) == 0 || len(x0)%d != 0 || len(dst)%len(x0) != 0 || len(dst) == 0 {
		panic("assim: " + fn + " needs x0 of shape (N, D) and dst of shape (N, L, D)")
	}
	return len(x0) / d, len(dst) / len(x0)
}

func runWindow(dst []float64, m Model, x0 []float64, obs *Observations, cfg EnKFConfig, smooth bool, rng *rand.Rand) error {
	d := stateSize(m)
	n, length := windowShape("EnKF/EnKS", dst, x0, d)
	if err := cfg.Validate(); err != nil {
		return err
	}
	if n < 2 {
		return configErr("%d ensemble members, want at least 2", n)
	}
	if err := obs.Validate(length, d); err != nil {
		return err
	}
	p, stride := obs.P(), length*d
	width := d
	if smooth {
		width = length * d
	}
	an := newAnalysis(n, p, width)
	var rot *rotation
	if cfg.Rotate {
		rot = newRotation(n, width)
	}
	mean := make([]float64, d)
	fc := newForecaster(m)
	idx := obs.index(length)
	for i := range n {
		copy(dst[i*stride:i*stride+d], x0[i*d:(i+1)*d])
	}
	for t := range length {
		off := t * d
		if t > 0 {
			for i := range n {
				fc.step(dst[i*stride+off:i*stride+off+d], dst[i*stride+off-d:i*stride+off], rng)
			}
		}
		if err := checkMembers(dst, n, stride, off, d, t); err != nil {
			return err
		}
		j := idx[t]
		if j < 0 {
			continue
		}
		an.observe(obs.H, dst, stride, off)
		if err := an.prepare(cfg.Update, obs.Y[j*p:(j+1)*p], obs.R, rng); err != nil {
			return fmt.Errorf("assim: analysis at state %d: %w", t, err)
		}
		lo := off
		if smooth {
			lo = 0
		}
		an.apply(dst, stride, lo, off+d-lo)
		inflate(dst, n, stride, off, cfg.inflation(), mean)
		if rot != nil {
			rot.draw(rng)
			rot.apply(dst, stride, lo, off+d-lo)
		}
		if err := checkMembers(dst, n, stride, off, d, t); err != nil {
			return err
		}
	}
	return nil
}

// checkMembers returns a *NonFiniteError for the first member whose state
// at buf[i·stride+off : …+d] is not finite.
func checkMembers(buf []float64, n, stride, off, d, t int) error {
	for i := range n {
		if !isFinite(buf[i*stride+off : i*stride+off+d]) {
			return &NonFiniteError{Time: t, Member: i}
		}
	}
	return nil
}
