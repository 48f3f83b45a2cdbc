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

// A CheckResult summarises unconditionally sampled windows scored under
// the true transition density (spec §3, end-of-training check).
type CheckResult struct {
	Samples int `json:"samples"`
	Window  int `json:"window"`
	Steps   int `json:"steps"`
	// MeanLogDensity is the mean over windows and their transitions of
	// log p(x_{i+1} | x_i) in physical units; the reference model scores
	// 0.99 on its 5-state windows.
	MeanLogDensity float64 `json:"mean_log_density"`
	// MedianLogDensity is the median over windows of their mean
	// per-transition log-density: robust to a few wild samples.
	MedianLogDensity float64 `json:"median_log_density"`
	// ExpectedTrue is the same mean for exact samples of the chain,
	// D·(−½·ln(2πq) − ½): the score of a perfect model.
	ExpectedTrue float64 `json:"expected_true"`
}

// Check samples windows of `window` states from den with the
// predictor–corrector sampler (no guidance, no corrections), maps them
// back to physical units with sys and scores each transition under sys.
func Check(ctx context.Context, den diffusion.Denoiser, sys dynamics.System, sched diffusion.Schedule,
	window, samples, steps int, rng *rand.Rand) (CheckResult, error) {
	if window < 2 || samples < 1 || steps < 1 {
		return CheckResult{}, fmt.Errorf("training: check needs window ≥ 2, samples ≥ 1, steps ≥ 1; got %d, %d, %d", window, samples, steps)
	}
	d := sys.Dim()
	x := make([]float32, samples*window*d)
	pc := &diffusion.PC{Sched: sched, Steps: steps}
	if err := pc.SampleContext(ctx, x, samples, den, rng, nil); err != nil {
		return CheckResult{}, fmt.Errorf("training: check: %w", err)
	}
	phys := make([]float64, len(x))
	for i, v := range x {
		phys[i] = float64(v)
	}
	sys.Unstandardize(phys, phys)
	ch := dynamics.NewChain(sys)
	perWindow := make([]float64, samples)
	var total float64
	for s := range samples {
		w := phys[s*window*d : (s+1)*window*d]
		lp := ch.TrajectoryLogPrior(w) / float64(window-1)
		perWindow[s] = lp
		total += lp
	}
	q := sys.NoiseVar()
	return CheckResult{
		Samples: samples, Window: window, Steps: steps,
		MeanLogDensity:   total / float64(samples),
		MedianLogDensity: median(perWindow),
		ExpectedTrue:     float64(d) * (-0.5*math.Log(2*math.Pi*q) - 0.5),
	}, nil
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
