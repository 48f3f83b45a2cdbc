package metrics

import (
	"math"
	"slices"
)

// EnsembleCRPS returns the continuous ranked probability score of the
// empirical distribution of members for the outcome y:
//
//	CRPS = (1/n) Σ_i |x_i − y| − (1/(2n²)) Σ_i Σ_j |x_i − x_j|,
//
// the integral of (F(z) − 1{z ≥ y})² over z for the ensemble's step CDF F
// (the estimator numpy users know from properscoring's crps_ensemble). It
// is 0 only for an ensemble concentrated on y, and for one member it is
// the absolute error. It sorts a copy of members (O(n log n)), so the
// double sum costs O(n). It returns NaN for no members.
func EnsembleCRPS(members []float64, y float64) float64 {
	s := slices.Clone(members)
	slices.Sort(s)
	return crpsSorted(s, y)
}

// crpsSorted is EnsembleCRPS of members sorted in ascending order, using
// Σ_i Σ_j |x_i − x_j| = 2 Σ_i (2i − n + 1) x_(i) (0-based ranks).
func crpsSorted(s []float64, y float64) float64 {
	n := float64(len(s))
	var abs, pairs float64
	for i, v := range s {
		abs += math.Abs(v - y)
		pairs += (2*float64(i) - n + 1) * v
	}
	return abs/n - pairs/(n*n)
}

// MeanCRPS returns EnsembleCRPS averaged over the values of an event: the
// samples are (n, len(truth)) row-major and truth is the outcome, one
// value per element. It allocates one column of n values. It returns NaN
// for zero samples.
func MeanCRPS(samples, truth []float64) float64 {
	n := events("MeanCRPS", samples, len(truth))
	col := make([]float64, n)
	var s float64
	for k, y := range truth {
		for i := range col {
			col[i] = samples[i*len(truth)+k]
		}
		slices.Sort(col)
		s += crpsSorted(col, y)
	}
	return s / float64(len(truth))
}

// SpreadErrorRatio returns the spread–error ratio of an ensemble against
// the truth: √((n+1)/n · mean_k s_k²) / RMSE(ensemble mean, truth), with
// s_k² the unbiased variance of the samples at element k. If the truth is
// one more draw from the distribution the n samples come from, the
// squares of numerator and denominator have the same expectation, so a
// calibrated ensemble has a ratio near 1; below 1 it is over-confident,
// above 1 under-confident. The samples are (n, len(truth)) row-major. It
// returns NaN for fewer than two samples and +Inf when the mean is exactly
// the truth. It allocates two events.
func SpreadErrorRatio(samples, truth []float64) float64 {
	n := events("SpreadErrorRatio", samples, len(truth))
	if n < 2 {
		return math.NaN()
	}
	mean := make([]float64, len(truth))
	Mean(mean, samples)
	ss := make([]float64, len(truth))
	for i := range n {
		for k, v := range samples[i*len(truth) : (i+1)*len(truth)] {
			r := v - mean[k]
			ss[k] += r * r
		}
	}
	var v float64
	for _, x := range ss {
		v += x / float64(n-1)
	}
	v /= float64(len(truth))
	return math.Sqrt(float64(n+1)/float64(n)*v) / RMSE(mean, truth)
}

// ResidualStd returns the standard deviation (divisor N, mean removed, as
// numpy's std) of all the values of residuals, for instance A(x) − y over
// every sample of a posterior. Against the observation noise σ_y it says
// whether samples fit the observations as closely as the noise allows
// (near σ_y), over-fit them (well below) or miss them (above); the method
// notes quote it for the Kolmogorov experiments (docs/method.md §4.3). It
// returns NaN for no values.
func ResidualStd(residuals []float64) float64 {
	var m float64
	for _, r := range residuals {
		m += r
	}
	m /= float64(len(residuals))
	var v float64
	for _, r := range residuals {
		v += (r - m) * (r - m)
	}
	return math.Sqrt(v / float64(len(residuals)))
}
