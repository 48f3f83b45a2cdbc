package filters

import (
	"sync"

	"sdapipe/dynamics"
	"sdapipe/internal/floats"
	"sdapipe/observe"
)

// ObservationLogLik returns the log-likelihood callback of the particle
// filter for one observation set y (all observed times, time-major, in
// standardised units) of operator desc with noise σ_y: for observed time
// j it standardises a particle's state with sys, applies the operator to it
// as a one-state event and returns Σ_k log N(y_jk; A(x)_k, σ_y²). The
// callback is safe for concurrent use; its scratch comes from a pool.
func ObservationLogLik(sys dynamics.System, desc observe.Description, y []float32, noise float64) (LogLik, error) {
	one := desc
	one.Length, one.Times, one.Outputs = 1, []int{0}, 0
	op, err := observe.Build(one)
	if err != nil {
		return nil, err
	}
	per, d := op.Outputs(), dynamics.StateSize(sys)
	pool := sync.Pool{New: func() any { s := make([]float64, d+2*per); return &s }}
	return func(j int, x []float64) float64 {
		sp := pool.Get().(*[]float64)
		s := *sp
		xs, ax, yy := s[:d], s[d:d+per], s[d+per:]
		sys.Standardize(xs, x)
		floats.Copy64(yy, y[j*per:(j+1)*per])
		ll := observe.LogLik64(op, ax, yy, xs, noise)
		pool.Put(sp)
		return ll
	}, nil
}
