package observe

import "math"

// LogLik64 returns the Gaussian observation log-likelihood
//
//	log p(y | x) = Σ_j log N(y_j; A(x)_j, std²)
//
// of one event x, the quantity of docs/method.md §6.2 metric 2 and of the particle
// filter's weights. scratch (length M) receives A(x); LogLik64 does not
// allocate. It panics on length mismatches as Apply64 does, and if y has
// length other than M.
func LogLik64(op Operator, scratch, y, x []float64, std float64) float64 {
	mustLen("LogLik64", "y", len(y), op.Outputs())
	op.Apply64(scratch, x)
	return GaussianLogLik(y, scratch, std)
}

// GaussianLogLik returns Σ_k log N(y_k; ax_k, std²), the log-likelihood of
// observations y given the observed values A(x) = ax. It panics unless y
// and ax have equal lengths.
func GaussianLogLik(y, ax []float64, std float64) float64 {
	if len(y) != len(ax) {
		panic("observe: GaussianLogLik needs y and A(x) of equal length")
	}
	var ss float64
	for k, a := range ax {
		r := y[k] - a
		ss += r * r
	}
	m := float64(len(y))
	return -0.5*ss/(std*std) - m*math.Log(std) - 0.5*m*math.Log(2*math.Pi)
}
