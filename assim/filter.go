package assim

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// A Filter is an ensemble Kalman filter advanced step by step, for cycling
// runs too long to keep every state (the DAPPER benchmark's 25 025 model
// steps). It holds the current ensemble, (N, D), and the scratch of its
// analyses, and belongs to one goroutine.
type Filter struct {
	cfg  EnKFConfig
	n, d int
	x    []float64 // (N, D) current members
	fc   forecaster
	an   *analysis // sized for the last P analysed
	rot  *rotation
	mean []float64
}

// NewFilter returns a filter whose ensemble is a copy of x0, (N, D). It
// panics if len(x0) is not a multiple of D, and returns an error wrapping
// ErrConfig for fewer than 2 members or an invalid cfg.
func NewFilter(m Model, x0 []float64, cfg EnKFConfig) (*Filter, error) {
	d := stateSize(m)
	if d < 1 || len(x0)%d != 0 {
		panic("assim: NewFilter needs x0 of shape (N, D)")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := len(x0) / d
	if n < 2 {
		return nil, configErr("%d ensemble members, want at least 2", n)
	}
	f := &Filter{cfg: cfg, n: n, d: d, x: slices.Clone(x0), fc: newForecaster(m), mean: make([]float64, d)}
	if cfg.Rotate {
		f.rot = newRotation(n, d)
	}
	return f, nil
}

// Ensemble returns the current members, (N, D); the slice is the filter's
// own and changes with it.
func (f *Filter) Ensemble() []float64 { return f.x }

// Mean writes the ensemble mean into dst (length D).
func (f *Filter) Mean(dst []float64) {
	if len(dst) != f.d {
		panic("assim: Filter.Mean needs len(dst) = D")
	}
	blockMean(dst, f.x, f.n, f.d, 0)
}

// Forecast advances every member one transition, x ← M(x) + √q·ξ,
// members in order, D normal draws each from rng (none when q = 0). It
// returns a *NonFiniteError (Time 0) if a member diverges.
func (f *Filter) Forecast(rng *rand.Rand) error {
	for i := range f.n {
		x := f.x[i*f.d : (i+1)*f.d]
		f.fc.step(x, x, rng)
	}
	return checkMembers(f.x, f.n, f.d, 0, f.d, 0)
}

// Analyse assimilates the values y = h(x) + ε, ε ~ N(0, diag(r)), into the
// current ensemble, then inflates and rotates as configured; the draws are
// EnKF's. It panics if len(y) or len(r) differs from h.Outputs() or h does
// not observe states of length D, and returns ErrSingular or a
// *NonFiniteError.
func (f *Filter) Analyse(h StateOperator, y, r []float64, rng *rand.Rand) error {
	p := h.Outputs()
	if len(y) != p || len(r) != p || h.Dim() != f.d {
		panic("assim: Filter.Analyse needs len(y) = len(r) = P and h of dimension D")
	}
	if f.an == nil || f.an.p != p {
		f.an = newAnalysis(f.n, p, f.d)
	}
	f.an.observe(h, f.x, f.d, 0)
	if err := f.an.prepare(f.cfg.Update, y, r, rng); err != nil {
		return fmt.Errorf("assim: analysis: %w", err)
	}
	f.an.apply(f.x, f.d, 0, f.d)
	inflate(f.x, f.n, f.d, 0, f.cfg.inflation(), f.mean)
	if f.rot != nil {
		f.rot.draw(rng)
		f.rot.apply(f.x, f.d, 0, f.d)
	}
	return checkMembers(f.x, f.n, f.d, 0, f.d, 0)
}
