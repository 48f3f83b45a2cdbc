package metrics

import (
	"fmt"

	"sdapipe/dynamics"
	"sdapipe/internal/floats"
	"sdapipe/observe"
)

// A Row is one value of a metrics table: a metric of one ensemble (named
// by Stage) for one observation set.
type Row struct {
	Stage       string
	Observation int
	Metric      string
	Value       float64
}

// A Scorer computes the metrics of docs/method.md §6.2 for ensembles of
// trajectories of a chain given observation sets: the expected log-prior
// under the chain's transition density, the expected log-likelihood of the
// observations (the operator acts on standardised states), the RMSE of the
// ensemble mean to the truth, the ensemble spread, and W1 against a
// reference ensemble (the particle filter's second run). Trajectories are
// float32 in physical units.
type Scorer struct {
	Chain  dynamics.System
	Op     observe.Operator
	Noise  float64   // σ_y
	Y      []float32 // (sets, M) observations, standardised units
	Truth  []float32 // (sets, L, D) true trajectories, or nil
	Second []float32 // (sets, Keep, L, D) the reference ensemble
	Keep   int
}

// Score returns the rows of ensemble ens, n trajectories (n, L, D), for
// observation set o, labelled stage. With withW1 it adds W1 against the
// first n trajectories of the reference ensemble, which must hold at least
// n (an error otherwise).
func (s *Scorer) Score(stage string, o int, ens []float32, n int, withW1 bool) ([]Row, error) {
	length, d := s.Op.Shape()
	ev, m := length*d, s.Op.Outputs()
	x := floats.To64(ens[:n*ev])
	rows := []Row{{stage, o, "log_prior", ExpectedLogPrior(s.Chain, x, length)}}
	y := floats.To64(s.Y[o*m : (o+1)*m])
	std, ax := make([]float64, ev), make([]float64, m)
	ll := ExpectedLogLik(x, ev, func(xi []float64) float64 {
		s.Chain.Standardize(std, xi)
		return observe.LogLik64(s.Op, ax, y, std, s.Noise)
	})
	rows = append(rows, Row{stage, o, "log_lik", ll})
	if s.Truth != nil {
		rows = append(rows, Row{stage, o, "rmse", MeanRMSE(x, floats.To64(s.Truth[o*ev:(o+1)*ev]))})
	}
	if n > 1 {
		rows = append(rows, Row{stage, o, "spread", Spread(x, ev)})
	}
	if withW1 {
		if n > s.Keep {
			return nil, fmt.Errorf("W1 of %d samples against a reference of %d paths: keep at least as many paths as samples", n, s.Keep)
		}
		w, err := W1(x, floats.To64(s.Second[o*s.Keep*ev:(o*s.Keep+n)*ev]), ev)
		if err != nil {
			return nil, err
		}
		rows = append(rows, Row{stage, o, "w1", w})
	}
	return rows, nil
}
