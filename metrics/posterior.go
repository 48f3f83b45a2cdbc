package metrics

import (
	"math"
	"slices"

	"sdapipe/dynamics"
	"sdapipe/observe"
)

// events returns the number of events of size size in s, panicking unless
// size ≥ 1 divides len(s).
func events(fn string, s []float64, size int) int {
	if size < 1 || len(s)%size != 0 {
		panic("metrics: " + fn + " needs samples of shape (n, size) with size ≥ 1")
	}
	return len(s) / size
}

// LogPriors writes into dst the transition log-density
// log p(x_{2:L} | x_1) of each of the n trajectories in samples,
// (n, L, D) row-major in physical units (docs/method.md §6.2 metric 1; see
// dynamics.Chain.TrajectoryLogPrior). It panics unless len(dst) = n and
// len(samples) = n·L·D.
func LogPriors(dst []float64, ch *dynamics.Chain, samples []float64, L int) {
	size := L * dynamics.StateSize(ch.System())
	if n := events("LogPriors", samples, size); len(dst) != n {
		panic("metrics: LogPriors needs one dst entry per trajectory")
	}
	for i := range dst {
		dst[i] = ch.TrajectoryLogPrior(samples[i*size : (i+1)*size])
	}
}

// ExpectedLogPrior returns E_q[log p(x_{2:L} | x_1)], the mean of
// LogPriors over the trajectories in samples, (n, L, D) physical units.
// For trajectories of the Lorenz 63 chain itself with L = 65 its
// expectation is 192·(−½ ln(2π·0.025) − ½) ≈ 81.70; the maximum, at zero
// residual, is ≈ 177.70. It returns NaN for zero trajectories.
func ExpectedLogPrior(sys dynamics.System, samples []float64, L int) float64 {
	ch := dynamics.NewChain(sys)
	size := L * dynamics.StateSize(sys)
	n := events("ExpectedLogPrior", samples, size)
	var s float64
	for i := range n {
		s += ch.TrajectoryLogPrior(samples[i*size : (i+1)*size])
	}
	return s / float64(n)
}

// ExpectedGaussianLogLik returns E_q[log p(y | x)] (docs/method.md §6.2
// metric 2) from the observed values of every sample: ax is (n, M)
// row-major with row i = A(x_i), and y has length M. For samples at the
// truth its expectation is M·(−½ ln(2πσ²) − ½): 14.19 for the "lo"
// scenario (M = 9, σ = 0.05) and −2.12 for "hi" (M = 65, σ = 0.25). It
// returns NaN for zero samples.
func ExpectedGaussianLogLik(y, ax []float64, sigma float64) float64 {
	m := len(y)
	n := events("ExpectedGaussianLogLik", ax, max(m, 1))
	var s float64
	for i := range n {
		s += observe.GaussianLogLik(y, ax[i*m:(i+1)*m], sigma)
	}
	return s / float64(n)
}

// ExpectedLogLik returns the mean of logLik over the samples, (n, size)
// row-major: E_q[log p(y | x)] for any observation model (for instance a
// closure over observe.LogLik64). logLik is called once per sample, in
// order. It returns NaN for zero samples.
func ExpectedLogLik(samples []float64, size int, logLik func(x []float64) float64) float64 {
	n := events("ExpectedLogLik", samples, size)
	var s float64
	for i := range n {
		s += logLik(samples[i*size : (i+1)*size])
	}
	return s / float64(n)
}

// Mean writes the elementwise mean of the samples, (n, len(dst))
// row-major, into dst. It writes NaNs for zero samples.
func Mean(dst, samples []float64) {
	n := events("Mean", samples, len(dst))
	clear(dst)
	for i := range n {
		for k, v := range samples[i*len(dst) : (i+1)*len(dst)] {
			dst[k] += v
		}
	}
	for k := range dst {
		dst[k] /= float64(n)
	}
}

// RMSE returns the root-mean-square difference √(mean_k (x_k − truth_k)²).
// It panics if the lengths differ and returns NaN for empty slices.
func RMSE(x, truth []float64) float64 {
	if len(x) != len(truth) {
		panic("metrics: RMSE needs slices of equal length")
	}
	var ss float64
	for k, v := range x {
		r := v - truth[k]
		ss += r * r
	}
	return math.Sqrt(ss / float64(len(x)))
}

// MeanRMSE returns the RMSE of the posterior mean to the truth: the
// samples are (n, len(truth)) row-major. It allocates one event.
func MeanRMSE(samples, truth []float64) float64 {
	m := make([]float64, len(truth))
	Mean(m, samples)
	return RMSE(m, truth)
}

// Spread returns the ensemble spread: the mean over the size elements of
// an event of the samples' standard deviation at that element, with the
// unbiased (n − 1) variance as torch.std computes it. samples are
// (n, size) row-major. It returns NaN for fewer than two samples. It
// allocates two events of scratch.
func Spread(samples []float64, size int) float64 {
	n := events("Spread", samples, size)
	if n < 2 {
		return math.NaN()
	}
	mean := make([]float64, size)
	Mean(mean, samples)
	ss := make([]float64, size)
	for i := range n {
		for k, v := range samples[i*size : (i+1)*size] {
			r := v - mean[k]
			ss[k] += r * r
		}
	}
	var s float64
	for _, v := range ss {
		s += math.Sqrt(v / float64(n-1))
	}
	return s / float64(size)
}

// Median returns the median of xs, the mean of the two middle values for
// an even count (as numpy.median), without modifying xs. It returns NaN
// for an empty slice or if any value is NaN.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	for _, v := range s {
		if math.IsNaN(v) {
			return math.NaN()
		}
	}
	slices.Sort(s)
	h := len(s) / 2
	if len(s)%2 == 1 {
		return s[h]
	}
	return (s[h-1] + s[h]) / 2
}
