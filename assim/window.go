package assim

import (
	"math/rand/v2"
	"slices"

	"sdapipe/optim"
)

// The functions of this file are the per-observation-set entry points of
// an assimilation stage: each turns one observation set into a posterior
// ensemble (N, L, D) in physical units, the layout of the particle filter
// and of SDA's samples, so that the evaluation scores them alike. Run many
// sets in parallel with RunSets.

// SmoothWindow draws n members of the climatological prior
// (PriorEnsemble with burnIn transitions, as the particle filter
// initialises, docs/method.md §6.1) and runs EnKS over a window of length
// states, writing the smoothing ensemble into dst, (n, length, D). Draws:
// PriorEnsemble's, then EnKS's. It panics if len(dst) ≠ n·length·D and
// returns EnKS's errors.
func SmoothWindow(dst []float64, n, length int, sys PriorSampler, burnIn int, obs *Observations, cfg EnKFConfig, rng *rand.Rand) error {
	d := stateSize(sys)
	if n < 1 || length < 1 || len(dst) != n*length*d {
		panic("assim: SmoothWindow needs dst of shape (n, length, D)")
	}
	x0 := make([]float64, n*d)
	PriorEnsemble(x0, sys, burnIn, rng)
	return EnKS(dst, sys, x0, obs, cfg, rng)
}

// Var4DConfig configures Var4DWindow.
type Var4DConfig struct {
	// Weak selects weak-constraint 4D-Var (model error q = the chain's
	// transition noise variance) after the strong-constraint first pass.
	Weak bool
	// QuasiStep is the least number of states by which each stage of the
	// quasi-static strong-constraint pass extends the window
	// (Strong.MinimizeQuasiStatic); 0 means 8, the "lo" scenario's
	// observation interval.
	QuasiStep int
	// Settings bound each L-BFGS run. GradTol 1e-3 (in the cost's units,
	// where a window's cost is ~5-50) changes the optimum's cost in its
	// fourth decimal and halves the iterations against 1e-6.
	Settings optim.Settings
}

// Var4DWindow runs 4D-Var on one observation set with background bg and
// writes n = len(dst)/(L·D) samples of its Laplace posterior into dst,
// (n, L, D). It returns the optimum trajectory, (L, D), and the last
// L-BFGS result; a run that stops on a limit still yields its best point
// and samples around it, and the caller decides from res.Status.
//
// The recipe: strong-constraint 4D-Var from the background mean by
// quasi-static stages, which finds the global minimum where a direct
// minimisation over the whole window ends in a local one in about half
// the "lo" and "hi" windows of the default study (0 of 80 windows tried
// against 42 of 80); for Weak, weak-constraint 4D-Var then starts from
// that trajectory (in 80 of 80 windows it reached the same optimum as
// from an EnKS mean). The Laplace samples draw from rng.
func Var4DWindow(dst []float64, length int, sys TangentModel, bg *Background, obs *Observations, cfg Var4DConfig, rng *rand.Rand) (opt []float64, res optim.Result, err error) {
	d := stateSize(sys)
	if length < 1 || len(dst) == 0 || len(dst)%(length*d) != 0 {
		panic("assim: Var4DWindow needs dst of shape (n, length, D)")
	}
	step := cfg.QuasiStep
	if step <= 0 {
		step = 8
	}
	s, err := NewStrong(sys, length, obs, bg)
	if err != nil {
		return nil, res, err
	}
	x0 := slices.Clone(bg.Mean())
	if res, err = s.MinimizeQuasiStatic(x0, cfg.Settings, step); err != nil {
		return nil, res, err
	}
	opt = make([]float64, length*d)
	s.Trajectory(opt, x0)
	if !cfg.Weak {
		return opt, res, s.Laplace(dst, x0, rng)
	}
	w, err := NewWeak(sys, length, obs, bg)
	if err != nil {
		return nil, res, err
	}
	if res, err = w.Minimize(opt, cfg.Settings); err != nil {
		return nil, res, err
	}
	return opt, res, w.Laplace(dst, opt, rng)
}
