package metrics

import (
	"math"
)

// The metrics of this file judge posteriors of fields (docs/method.md
// §4.3, §6.3): how far each state of the posterior mean is from the truth,
// whether the posterior's states obey the true dynamics, and whether their
// energy spectrum is the data's. They take the system's physics as
// interfaces, so this package knows no solver.

// A Forecaster re-simulates a trajectory with the true dynamics: from
// state x it writes the len(dst)/len(x) states that follow, one interval
// apart, into dst.
type Forecaster interface {
	Forecast(dst, x []float64) error
}

// StateRMSE writes into dst (length L) the RMSE, over the D values of each
// state, between the ensemble mean of samples (n, L, D) and the truth
// (L, D).
func StateRMSE(dst, samples, truth []float64, d int) {
	l := len(truth) / d
	if d < 1 || len(truth) != l*d || len(dst) != l {
		panic("metrics: StateRMSE needs truth (L, D) and dst (L)")
	}
	mean := make([]float64, len(truth))
	Mean(mean, samples)
	for t := range l {
		dst[t] = RMSE(mean[t*d:(t+1)*d], truth[t*d:(t+1)*d])
	}
}

// Physics re-simulates each of the n trajectories of samples (n, L, D)
// from its first state with f and writes the re-simulations into resim
// (n, L, D; state 0 is the sample's own), and into dst (length L) the RMSE
// per state between the re-simulated and the sampled states, over the D
// values of a state and all n samples. State 0 is 0 by construction. A
// posterior whose states follow the dynamics has small errors all along;
// one that satisfies the observations by states the dynamics cannot
// connect has growing ones. It returns the forecaster's first error.
func Physics(dst, resim []float64, f Forecaster, samples []float64, n, d int) error {
	size := len(samples) / n
	l := size / d
	if n < 1 || d < 1 || len(samples) != n*l*d || len(resim) != len(samples) || len(dst) != l {
		panic("metrics: Physics needs samples and resim (n, L, D) and dst (L)")
	}
	ss := make([]float64, l)
	for i := range n {
		x, r := samples[i*size:(i+1)*size], resim[i*size:(i+1)*size]
		copy(r[:d], x[:d])
		if l > 1 {
			if err := f.Forecast(r[d:], x[:d]); err != nil {
				return err
			}
		}
		for t := 1; t < l; t++ {
			for k := t * d; k < (t+1)*d; k++ {
				e := r[k] - x[k]
				ss[t] += e * e
			}
		}
	}
	for t := range l {
		dst[t] = math.Sqrt(ss[t] / float64(n*d))
	}
	return nil
}

// A Spectrum measures the radial energy spectrum of one state.
type Spectrum interface {
	Bins() int
	EnergySpectrum(dst, x []float64)
}

// MeanSpectrum returns the energy spectrum of sp averaged over every state
// (of D values) in states.
func MeanSpectrum(sp Spectrum, states []float64, d int) []float64 {
	if d < 1 || len(states)%d != 0 || len(states) == 0 {
		panic("metrics: MeanSpectrum needs whole states")
	}
	out, e := make([]float64, sp.Bins()), make([]float64, sp.Bins())
	n := len(states) / d
	for i := range n {
		sp.EnergySpectrum(e, states[i*d:(i+1)*d])
		for k, v := range e {
			out[k] += v / float64(n)
		}
	}
	return out
}

// SpectrumError returns the mean absolute difference of the decimal
// logarithms of two energy spectra over the wavenumbers 1 … kmax where
// both are positive (k = 0 is the mean flow, not a scale): 0 for equal
// spectra, 0.3 for a factor of two at every scale. It returns NaN if no
// wavenumber qualifies.
func SpectrumError(a, b []float64, kmax int) float64 {
	var s float64
	var n int
	for k := 1; k <= kmax && k < len(a) && k < len(b); k++ {
		if a[k] > 0 && b[k] > 0 {
			s += math.Abs(math.Log10(a[k]) - math.Log10(b[k]))
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}
