package assim

import (
	"fmt"
	"math"
	"slices"

	"sdapipe/internal/chunks"
	"sdapipe/optim"
)

// DistinctModes removes near-duplicate optima: it returns the indices of
// the events of x, (n, size) row-major, that have no earlier event within
// squared Euclidean distance threshold, where "earlier" is index order
// when cost is nil and increasing cost (ties by index) otherwise. An
// event is dropped if it is near any earlier event, kept or dropped
// itself: the rule of the multi-modal demo of docs/method.md §4.3, which
// removes 4D-Var optima within squared distance 10 (physical units) of
// an earlier one. It panics unless cost is nil or has one entry per event.
func DistinctModes(x []float64, size int, cost []float64, threshold float64) []int {
	if size < 1 || len(x)%size != 0 || (cost != nil && len(cost) != len(x)/size) {
		panic("assim: DistinctModes needs x (n, size) and nil or one cost per event")
	}
	n := len(x) / size
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if cost != nil {
		slices.SortStableFunc(order, func(a, b int) int {
			switch ca, cb := cost[a], cost[b]; {
			case ca < cb || (!math.IsNaN(ca) && math.IsNaN(cb)):
				return -1
			case cb < ca || (math.IsNaN(ca) && !math.IsNaN(cb)):
				return 1
			}
			return 0
		})
	}
	var kept []int
	for r, i := range order {
		xi := x[i*size : (i+1)*size]
		dup := false
		for _, k := range order[:r] {
			var s float64
			for c, v := range x[k*size : (k+1)*size] {
				e := v - xi[c]
				s += e * e
			}
			if s < threshold {
				dup = true
				break
			}
		}
		if !dup {
			kept = append(kept, i)
		}
	}
	return kept
}

// A ModeSearch configures FindModes.
type ModeSearch struct {
	// BackgroundVar is the variance b of the background N(x_b, b·I) on
	// each run's first state, x_b the start's first state; the demo's
	// ‖x_1 − x_b‖² is b = ½.
	BackgroundVar float64
	// Settings bound each L-BFGS run. The demo's PyTorch reference ran 16
	// L-BFGS steps of at most 20 iterations each: MaxIter 320.
	Settings optim.Settings
	// Threshold is DistinctModes' squared distance (the demo's is 10).
	Threshold float64
}

// FindModes runs weak-constraint 4D-Var (Weak) from each of the K starting
// trajectories in starts, (K, L, D), in parallel (one start per chunk;
// the runs are deterministic), and returns the optima, (K, L, D), their
// costs, and the indices of the distinct modes among them (DistinctModes
// in start order: each run has its own background, its start's first
// state, so the costs of different runs do not rank them). This is the
// mode search of the multi-modal demo of docs/method.md §4.3, there
// started from 32 SDA samples. It returns the first error of NewWeak or
// of a run.
func FindModes(m TangentModel, obs *Observations, starts []float64, length int, s ModeSearch) (optima, costs []float64, modes []int, err error) {
	d := stateSize(m)
	size := length * d
	if length < 1 || len(starts) == 0 || len(starts)%size != 0 {
		panic("assim: FindModes needs starts of shape (K, L, D)")
	}
	if !(s.BackgroundVar > 0) || math.IsInf(s.BackgroundVar, 0) {
		return nil, nil, nil, configErr("background variance %v, want a finite value > 0", s.BackgroundVar)
	}
	k := len(starts) / size
	optima, costs = slices.Clone(starts), make([]float64, k)
	err = chunks.Run(k, func() func(int) error {
		return func(c int) error {
			x := optima[c*size : (c+1)*size]
			w, err := NewWeak(m, length, obs, IsotropicBackground(x[:d], s.BackgroundVar))
			if err != nil {
				return err
			}
			res, err := w.Minimize(x, s.Settings)
			if err != nil {
				return fmt.Errorf("assim: mode search from start %d: %w", c, err)
			}
			costs[c] = res.F
			return nil
		}
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return optima, costs, DistinctModes(optima, size, nil, s.Threshold), nil
}
