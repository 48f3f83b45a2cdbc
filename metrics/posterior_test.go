package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"sdapipe/dynamics"
	"sdapipe/observe"
)

// lnNorm is −½ ln(2πσ²), the log-normaliser of one Gaussian coordinate.
func lnNorm(sigma2 float64) float64 { return -0.5 * math.Log(2*math.Pi*sigma2) }

// TestExpectedLogPriorSanity checks the derived values of docs/method.md
// §6.2: simulated Lorenz trajectories of 65 states score
// 192·(−½ ln(2π·0.025) − ½) ≈ 81.70 on average and a noiseless one the
// maximum 192·(−½ ln(2π·0.025)) ≈ 177.70. Each simulated score is the
// maximum minus ½χ²₁₉₂ (sd √96 ≈ 9.8), so the mean of 4096 trajectories
// lies within 5·9.8/64 ≈ 0.77 of 81.70.
func TestExpectedLogPriorSanity(t *testing.T) {
	t.Parallel()
	l := dynamics.NewLorenz63()
	const L, n = 65, 4096
	data, err := dynamics.Generate(l, n, 256, L, 21)
	if err != nil {
		t.Fatal(err)
	}
	want := 192 * (lnNorm(0.025) - 0.5)
	if math.Abs(want-81.70) > 0.005 {
		t.Fatalf("closed form %.4f disagrees with the method notes' 81.70", want)
	}
	if got, tol := ExpectedLogPrior(l, data, L), 5*math.Sqrt(96.0/n); math.Abs(got-want) > tol {
		t.Errorf("E[log p] of simulated trajectories = %.3f, want %.3f ± %.3f", got, want, tol)
	}
	// Noiseless trajectories: each state the map of the previous.
	ch := dynamics.NewChain(l)
	clean := make([]float64, 3*L*3)
	for i := range 3 {
		traj := clean[i*L*3 : (i+1)*L*3]
		copy(traj, data[i*L*3:i*L*3+3])
		for s := 1; s < L; s++ {
			ch.Map(traj[3*s:3*s+3], traj[3*s-3:3*s])
		}
	}
	top := 192 * lnNorm(0.025)
	// 192 equal terms summed: ~100 ulps of 178.
	if got := ExpectedLogPrior(l, clean, L); !scalar.EqualWithinAbsOrRel(got, top, 1e-10, 1e-12) || math.Abs(top-177.70) > 0.005 {
		t.Errorf("E[log p] of noiseless trajectories = %.6f, want %.6f ≈ 177.70", got, top)
	}
	lp := make([]float64, 3)
	LogPriors(lp, ch, clean, L)
	for i, v := range lp {
		if !scalar.EqualWithinAbsOrRel(v, top, 1e-10, 1e-12) {
			t.Errorf("LogPriors[%d] = %.6f, want %.6f", i, v, top)
		}
	}
}

// TestExpectedLogLikSanity checks the derived values of docs/method.md §6.2
// for samples at the truth: observations y = A(x) + N(0, σ²) of the
// standardised first coordinate give E[log p(y | x)] = M·(−½ ln(2πσ²) − ½):
// 14.19 for "lo" (every 8th of 65 states, M = 9, σ = 0.05) and −2.12 for
// "hi" (all 65 states, σ = 0.25). Each value is that expectation minus
// ½(χ²_M − M), sd √(M/2), so the mean over N truths lies within
// 5·√(M/2N).
func TestExpectedLogLikSanity(t *testing.T) {
	t.Parallel()
	l := dynamics.NewLorenz63()
	const L, nTruth = 65, 2000
	truths, err := dynamics.Generate(l, nTruth, 256, L, 5)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		every  int
		sigma  float64
		specEV float64
	}{
		{"lo", 8, 0.05, 14.19},
		{"hi", 1, 0.25, -2.12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := (L-1)/tc.every + 1
			want := float64(m) * (lnNorm(tc.sigma*tc.sigma) - 0.5)
			if math.Abs(want-tc.specEV) > 0.005 {
				t.Fatalf("closed form %.4f disagrees with the method notes' %v", want, tc.specEV)
			}
			rng := rand.New(rand.NewPCG(6, uint64(tc.every)))
			A := func(dst, x []float64) { // A(x) = preprocess(x)[::every, 0]
				for k := range dst {
					dst[k] = (x[k*tc.every*3] - l.Mean[0]) / l.Scale[0]
				}
			}
			ax := make([]float64, m)
			y := make([]float64, m)
			var s1, s2 float64
			for i := range nTruth {
				x := truths[i*L*3 : (i+1)*L*3]
				A(ax, x)
				for k := range y {
					y[k] = ax[k] + tc.sigma*rng.NormFloat64()
				}
				// The same quantity through both entry points.
				s1 += ExpectedGaussianLogLik(y, ax, tc.sigma)
				s2 += ExpectedLogLik(x, L*3, func(x []float64) float64 {
					buf := make([]float64, m)
					A(buf, x)
					return observe.GaussianLogLik(y, buf, tc.sigma)
				})
			}
			got := s1 / nTruth
			if tol := 5 * math.Sqrt(float64(m)/2/nTruth); math.Abs(got-want) > tol {
				t.Errorf("E[log p(y|x)] at the truth = %.4f, want %.4f ± %.4f", got, want, tol)
			}
			if s1 != s2 {
				t.Errorf("ExpectedLogLik gives %v, ExpectedGaussianLogLik %v", s2/nTruth, got)
			}
		})
	}
}

func TestSummaryStatistics(t *testing.T) {
	t.Parallel()
	// Three samples of a 2-element event, by hand:
	// element 0: 1, 2, 6 → mean 3, unbiased var ((4 + 1 + 9)/2) = 7;
	// element 1: 0, 0, 3 → mean 1, unbiased var ((1 + 1 + 4)/2) = 3.
	samples := []float64{1, 0, 2, 0, 6, 3}
	mean := make([]float64, 2)
	Mean(mean, samples)
	if mean[0] != 3 || mean[1] != 1 {
		t.Errorf("Mean = %v, want [3 1]", mean)
	}
	// RMSE of (3, 1) to (0, 5): √((9 + 16)/2).
	if got, want := MeanRMSE(samples, []float64{0, 5}), math.Sqrt(12.5); !scalar.EqualWithinAbsOrRel(got, want, 1e-15, 1e-15) {
		t.Errorf("MeanRMSE = %v, want %v", got, want)
	}
	// One sqrt and a division each: a few ulps.
	if got, want := Spread(samples, 2), (math.Sqrt(7)+math.Sqrt(3))/2; !scalar.EqualWithinAbsOrRel(got, want, 1e-15, 1e-15) {
		t.Errorf("Spread = %v, want %v", got, want)
	}
	if got := Spread(samples[:2], 2); !math.IsNaN(got) {
		t.Errorf("Spread of one sample = %v, want NaN", got)
	}
	if got := RMSE([]float64{1, 2}, []float64{1, 2}); got != 0 {
		t.Errorf("RMSE of equal slices = %v, want 0", got)
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		xs   []float64
		want float64
	}{
		{"odd", []float64{5, 1, 3}, 3},
		{"even", []float64{4, 1, 3, 2}, 2.5},
		{"single", []float64{-7}, -7},
		{"infinities", []float64{math.Inf(-1), 1, math.Inf(1)}, 1},
		{"empty", nil, math.NaN()},
		{"NaN", []float64{1, math.NaN(), 2}, math.NaN()},
	}
	for _, tc := range tests {
		orig := append([]float64(nil), tc.xs...)
		got := Median(tc.xs)
		if got != tc.want && !(math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("%s: Median = %v, want %v", tc.name, got, tc.want)
		}
		for i := range orig {
			if orig[i] != tc.xs[i] && !math.IsNaN(orig[i]) {
				t.Errorf("%s: Median modified its input", tc.name)
			}
		}
	}
}

func dynamicsLorenz() *dynamics.Lorenz63 { return dynamics.NewLorenz63() }

func lorenzData(tb testing.TB, n, L int) []float64 {
	tb.Helper()
	data, err := dynamics.Generate(dynamics.NewLorenz63(), n, 64, L, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
