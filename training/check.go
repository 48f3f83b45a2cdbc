package training

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"sdapipe/diffusion"
	"sdapipe/dynamics"
)

// A CheckResult summarises windows sampled unconditionally from a trained
// model (docs/method.md §3, end-of-training check). For a system with a
// transition density the windows are scored under it; for any system the
// moments of the sampled values are compared with the training data's.
type CheckResult struct {
	Samples int `json:"samples"`
	Window  int `json:"window"`
	Steps   int `json:"steps"`
	// MeanLogDensity is the mean over windows and their transitions of
	// log p(x_{i+1} | x_i) in physical units; the reference model scores
	// 0.99 on its 5-state windows. Absent without a transition density.
	MeanLogDensity float64 `json:"mean_log_density,omitempty"`
	// MedianLogDensity is the median over windows of their mean
	// per-transition log-density: robust to a few wild samples.
	MedianLogDensity float64 `json:"median_log_density,omitempty"`
	// ExpectedTrue is the same mean for exact samples of the chain,
	// D·(−½·ln(2πq) − ½): the score of a perfect model.
	ExpectedTrue float64 `json:"expected_true,omitempty"`
	// Moments compares the sampled windows with the training data, in
	// standardised units; set for systems without a transition density.
	Moments *Moments `json:"moments,omitempty"`
}

// Moments are the mean and standard deviation over all values of the
// sampled windows and of the training trajectories.
type Moments struct {
	SampleMean float64 `json:"sample_mean"`
	SampleStd  float64 `json:"sample_std"`
	DataMean   float64 `json:"data_mean"`
	DataStd    float64 `json:"data_std"`
}

// LogFields returns the result as alternating keys and values for a
// structured log line.
func (r CheckResult) LogFields() []any {
	if r.Moments != nil {
		m := r.Moments
		return []any{"sample_mean", fmt.Sprintf("%.3f", m.SampleMean), "sample_std", fmt.Sprintf("%.3f", m.SampleStd),
			"data_mean", fmt.Sprintf("%.3f", m.DataMean), "data_std", fmt.Sprintf("%.3f", m.DataStd)}
	}
	return []any{"mean_log_density", fmt.Sprintf("%.3f", r.MeanLogDensity),
		"median", fmt.Sprintf("%.3f", r.MedianLogDensity), "perfect_model", fmt.Sprintf("%.3f", r.ExpectedTrue)}
}

// Check samples windows of `window` states from den with the
// predictor–corrector sampler (no guidance, no corrections). With a chain
// (not nil) it maps them back to physical units with st and scores each
// transition under the chain; without one it compares the moments of the
// samples with those of data. It also returns the sampled windows,
// (samples, window, D) in standardised units, for checks of the caller's.
func Check(ctx context.Context, den diffusion.Denoiser, chain dynamics.System, st dynamics.Standardization,
	data Dataset, sched diffusion.Schedule, window, samples, steps int, rng *rand.Rand) (CheckResult, []float32, error) {
	if window < 2 || samples < 1 || steps < 1 {
		return CheckResult{}, nil, fmt.Errorf("training: check needs window ≥ 2, samples ≥ 1, steps ≥ 1; got %d, %d, %d", window, samples, steps)
	}
	d := data.D
	x := make([]float32, samples*window*d)
	pc := &diffusion.PC{Sched: sched, Steps: steps}
	if err := pc.SampleContext(ctx, x, samples, den, rng, nil); err != nil {
		return CheckResult{}, nil, fmt.Errorf("training: check: %w", err)
	}
	res := CheckResult{Samples: samples, Window: window, Steps: steps}
	if chain == nil {
		res.Moments = &Moments{}
		res.Moments.SampleMean, res.Moments.SampleStd = meanStd(x)
		res.Moments.DataMean, res.Moments.DataStd = meanStd(data.Data)
		return res, x, nil
	}
	phys := make([]float64, len(x))
	for i, v := range x {
		phys[i] = float64(v)
	}
	st.Invert(phys, phys)
	ch := dynamics.NewChain(chain)
	perWindow := make([]float64, samples)
	var total float64
	for s := range samples {
		w := phys[s*window*d : (s+1)*window*d]
		lp := ch.TrajectoryLogPrior(w) / float64(window-1)
		perWindow[s] = lp
		total += lp
	}
	q := chain.NoiseVar()
	res.MeanLogDensity = total / float64(samples)
	res.MedianLogDensity = median(perWindow)
	res.ExpectedTrue = float64(d) * (-0.5*math.Log(2*math.Pi*q) - 0.5)
	return res, x, nil
}

// meanStd returns the mean and (population) standard deviation of x,
// summed in float64 in order.
func meanStd(x []float32) (mean, std float64) {
	for _, v := range x {
		mean += float64(v)
	}
	mean /= float64(len(x))
	for _, v := range x {
		d := float64(v) - mean
		std += d * d
	}
	return mean, math.Sqrt(std / float64(len(x)))
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
