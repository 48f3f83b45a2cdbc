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
// trajectories given observation sets, and those that hold without a
// known transition density. Trajectories are float32 in physical units.
//
// Per ensemble and observation set it gives, in this order:
//   - log_prior, the expected log-prior under the chain's transition
//     density, when Chain is not nil;
//   - log_lik, the expected log-likelihood of the observations, and
//     resid_std, the standard deviation of A(x) − y over every sample and
//     observed value (ResidualStd), to compare with σ_y; the operator acts
//     on states standardised by Std;
//   - with Truth: rmse of the ensemble mean to the truth;
//   - with two samples or more: spread, and with Truth also
//     spread_error (SpreadErrorRatio) and crps (MeanCRPS);
//   - when asked: w1 against the reference ensemble Second.
type Scorer struct {
	Chain  dynamics.System          // the transition density, or nil
	Std    dynamics.Standardization // physical to standardised units
	Op     observe.Operator
	Noise  float64   // σ_y
	Y      []float32 // (sets, M) observations, standardised units
	Truth  []float32 // (sets, L, D) true trajectories, or nil
	Second []float32 // (sets, Keep, L, D) the reference ensemble, or nil
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
	var rows []Row
	if s.Chain != nil {
		rows = append(rows, Row{stage, o, "log_prior", ExpectedLogPrior(s.Chain, x, length)})
	}
	y := floats.To64(s.Y[o*m : (o+1)*m])
	std, ax := make([]float64, ev), make([]float64, m)
	resid := make([]float64, 0, n*m)
	ll := ExpectedLogLik(x, ev, func(xi []float64) float64 {
		s.Std.Apply(std, xi)
		lp := observe.LogLik64(s.Op, ax, y, std, s.Noise)
		for k, v := range ax {
			resid = append(resid, v-y[k])
		}
		return lp
	})
	rows = append(rows, Row{stage, o, "log_lik", ll}, Row{stage, o, "resid_std", ResidualStd(resid)})
	var truth []float64
	if s.Truth != nil {
		truth = floats.To64(s.Truth[o*ev : (o+1)*ev])
		rows = append(rows, Row{stage, o, "rmse", MeanRMSE(x, truth)})
	}
	if n > 1 {
		rows = append(rows, Row{stage, o, "spread", Spread(x, ev)})
		if truth != nil {
			rows = append(rows, Row{stage, o, "spread_error", SpreadErrorRatio(x, truth)}, Row{stage, o, "crps", MeanCRPS(x, truth)})
		}
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
