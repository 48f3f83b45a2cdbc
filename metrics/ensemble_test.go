package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestEnsembleCRPSTwoMembers: for members a ≤ b the step CDF is ½ on
// [a, b), so CRPS = ½(|a−y| + |b−y|) − |b−a|/4; for a = 0, b = 2, y = ½
// the integral ∫(F − 1{z ≥ y})² is 0.25·0.5 + 0.25·1.5 = 0.5.
func TestEnsembleCRPSTwoMembers(t *testing.T) {
	for _, tc := range []struct{ a, b, y, want float64 }{
		{0, 2, 0.5, 0.5},
		{2, 0, 0.5, 0.5},
		{0, 2, 3, 1.5}, // ∫ 0.25 over [0, 2) + 1 over [2, 3)
		{1, 1, 1, 0},   // concentrated on the outcome
		{-1, 3, 1, 1},  // ½(2 + 2) − 4/4
		{5, 5, 2, 3},   // one point mass: the absolute error
	} {
		want := 0.5*(math.Abs(tc.a-tc.y)+math.Abs(tc.b-tc.y)) - math.Abs(tc.b-tc.a)/4
		if math.Abs(want-tc.want) > 1e-15 {
			t.Fatalf("table row %+v disagrees with the closed form %v", tc, want)
		}
		// Exact in binary for these small halves and quarters.
		if got := EnsembleCRPS([]float64{tc.a, tc.b}, tc.y); got != tc.want {
			t.Errorf("CRPS({%v, %v}, %v) = %v, want %v", tc.a, tc.b, tc.y, got, tc.want)
		}
	}
	if got := EnsembleCRPS([]float64{1.5}, -2); got != 3.5 {
		t.Errorf("one member: CRPS = %v, want the absolute error 3.5", got)
	}
}

// TestEnsembleCRPSGaussian: an ensemble of the n quantiles
// μ + σΦ⁻¹((i + ½)/n) approaches N(μ, σ²), whose CRPS for outcome y is
// σ[z(2Φ(z) − 1) + 2φ(z) − 1/√π] with z = (y − μ)/σ (Gneiting and
// Raftery 2007). The quantile ensemble's error is O(1/n) (its missing
// tails); with n = 10⁵ it is below 10⁻⁴σ.
func TestEnsembleCRPSGaussian(t *testing.T) {
	const n, mu, sigma = 100000, 1.5, 2.0
	members := make([]float64, n)
	for i := range members {
		members[i] = mu + sigma*math.Sqrt2*math.Erfinv(2*(float64(i)+0.5)/n-1)
	}
	for _, y := range []float64{1.5, 0, 4.2, -7} {
		z := (y - mu) / sigma
		phi := math.Exp(-z*z/2) / math.Sqrt(2*math.Pi)
		cdf := 0.5 * math.Erfc(-z/math.Sqrt2)
		want := sigma * (z*(2*cdf-1) + 2*phi - 1/math.Sqrt(math.Pi))
		if got := EnsembleCRPS(members, y); math.Abs(got-want) > 1e-4*sigma {
			t.Errorf("y = %v: CRPS = %.7f, Gaussian closed form %.7f", y, got, want)
		}
	}
}

// TestEnsembleCRPSMatchesDoubleSum: the sorted O(n) form equals the
// definition's O(n²) double sum on random members; MeanCRPS averages it
// over the elements of an event.
func TestEnsembleCRPSMatchesDoubleSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, size = 37, 5
	samples, truth := make([]float64, n*size), make([]float64, size)
	for i := range samples {
		samples[i] = rng.NormFloat64()*3 + 1
	}
	for i := range truth {
		truth[i] = rng.NormFloat64()
	}
	var mean float64
	for k, y := range truth {
		col := make([]float64, n)
		var abs, pairs float64
		for i := range col {
			col[i] = samples[i*size+k]
			abs += math.Abs(col[i] - y)
		}
		for _, a := range col {
			for _, b := range col {
				pairs += math.Abs(a - b)
			}
		}
		want := abs/n - pairs/(2*n*n)
		got := EnsembleCRPS(col, y)
		// Different summation orders of ~n² terms of size ~5: 1e-12 relative.
		if math.Abs(got-want) > 1e-12*(1+math.Abs(want)) {
			t.Fatalf("element %d: CRPS %v, double sum %v", k, got, want)
		}
		mean += got / size
	}
	if got := MeanCRPS(samples, truth); math.Abs(got-mean) > 1e-14 {
		t.Errorf("MeanCRPS = %v, mean of the elements' %v", got, mean)
	}
}

func TestSpreadErrorRatio(t *testing.T) {
	// Two members 0 and 2 against truth 0: unbiased variance 2, RMSE 1,
	// ratio √(3/2 · 2) = √3.
	if got := SpreadErrorRatio([]float64{0, 2}, []float64{0}); math.Abs(got-math.Sqrt(3)) > 1e-15 {
		t.Errorf("ratio = %v, want √3", got)
	}
	if got := SpreadErrorRatio([]float64{0, 2}, []float64{1}); !math.IsInf(got, 1) {
		t.Errorf("mean on the truth: ratio %v, want +Inf", got)
	}
	if got := SpreadErrorRatio([]float64{0, 2}, []float64{0, 2}); !math.IsNaN(got) {
		t.Errorf("one sample: ratio %v, want NaN", got)
	}
	// Calibrated: truth and 4 samples are exchangeable N(0,1) draws at each
	// of 20000 elements; the mean squares of spread and error (both ≈ 1.25)
	// have standard errors near 1%, so the ratio lies within 4% of 1.
	// Over-confident: shrinking the samples to half their spread about
	// their mean keeps the error and halves the spread: a ratio near 0.5.
	rng := rand.New(rand.NewPCG(5, 6))
	const n, size = 4, 20000
	samples, truth := make([]float64, n*size), make([]float64, size)
	for i := range samples {
		samples[i] = rng.NormFloat64()
	}
	for i := range truth {
		truth[i] = rng.NormFloat64()
	}
	if got := SpreadErrorRatio(samples, truth); math.Abs(got-1) > 0.04 {
		t.Errorf("calibrated ensemble: ratio %v, want 1 ± 0.04", got)
	}
	mean := make([]float64, size)
	Mean(mean, samples)
	for i := range samples {
		samples[i] = mean[i%size] + 0.5*(samples[i]-mean[i%size])
	}
	if got := SpreadErrorRatio(samples, truth); math.Abs(got-0.5) > 0.03 {
		t.Errorf("over-confident ensemble: ratio %v, want 0.5 ± 0.03", got)
	}
}

func TestResidualStd(t *testing.T) {
	// Mean 2.5, squared deviations 2.25, 0.25, 0.25, 2.25: variance 1.25.
	if got := ResidualStd([]float64{1, 2, 3, 4}); math.Abs(got-math.Sqrt(1.25)) > 1e-15 {
		t.Errorf("ResidualStd = %v, want √1.25", got)
	}
	if got := ResidualStd(nil); !math.IsNaN(got) {
		t.Errorf("no residuals: %v, want NaN", got)
	}
}
