package observe

import "math"

// LogLik64 returns the Gaussian observation log-likelihood
//
//	log p(y | x) = Σ_j log N(y_j; A(x)_j, std²)
//
// of one event x, the quantity of spec §6.2 metric 2 and of the particle
// filter's weights. scratch (length M) receives A(x); LogLik64 does not
// allocate. It panics on length mismatches as Apply64 does, and if y has
// length other than M.
func LogLik64(op Operator, scratch, y, x []float64, std float64) float64 {
	mustLen("LogLik64", "y", len(y), op.Outputs())
	op.Apply64(scratch, x)
	var ss float64
	for j, a := range scratch {
		r := y[j] - a
		ss += r * r
	}
	m := float64(len(y))
	return -0.5*ss/(std*std) - m*math.Log(std) - 0.5*m*math.Log(2*math.Pi)
}
