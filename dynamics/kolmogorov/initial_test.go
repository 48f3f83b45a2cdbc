package kolmogorov

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"sdapipe/internal/fft"
)

func TestInitialField(t *testing.T) {
	n := 32
	s, err := NewSolver(testConfig(n, 1000))
	if err != nil {
		t.Fatal(err)
	}
	sp := NewSpectra(n)
	reps := 256
	rng := rand.New(rand.NewPCG(7, 7))
	x := make([]float64, 2*n*n)
	e := make([]float64, sp.Bins())
	mean := make([]float64, sp.Bins())
	for range reps {
		s.InitialField(x, rng)
		var vmax float64
		for i := range n * n {
			vmax = max(vmax, math.Hypot(x[i], x[n*n+i]))
		}
		// The last operation is the rescaling to 3.
		if !scalar.EqualWithinRel(vmax, 3, 1e-14) {
			t.Fatalf("max speed %v, want 3", vmax)
		}
		if d := divergence(x, n); d > 1e-12 {
			t.Fatalf("max |∇·u|·h = %.3g, want round-off", d)
		}
		sp.EnergySpectrum(e, x)
		var tot float64
		for _, v := range e {
			tot += v
		}
		for k, v := range e {
			mean[k] += v / tot / float64(reps)
		}
	}
	// The expected shape: white noise filtered by F(|κ|) has shell energy
	// ∝ Σ_{shell} F², which the projection halves in every shell on average.
	want := make([]float64, sp.Bins())
	filt := filterShells(n, 4)
	var tot float64
	for _, v := range filt {
		tot += v
	}
	for k := range want {
		want[k] = filt[k] / tot
	}
	if argmax(want) != 4 || argmax(mean) != 4 {
		t.Errorf("spectrum peaks at %d (expected shape at %d), want 4", argmax(mean), argmax(want))
	}
	if mean[0] > 1e-20 {
		t.Errorf("mean flow energy %v, want 0", mean[0])
	}
	for k := 2; k <= 8; k++ {
		// Shell k holds ≈ 2πk modes per field, so the relative sampling
		// error of the mean is ≈ 1/√(πk·reps) ≤ 2.5%; allow 4σ at k = 2.
		if !scalar.EqualWithinRel(mean[k], want[k], 4/math.Sqrt(math.Pi*2*float64(reps))) {
			t.Errorf("E(%d)/E = %.4f, want %.4f", k, mean[k], want[k])
		}
	}
}

// filterShells returns Σ F(|κ|)² per rounded shell of an n×n grid for the
// initial-field filter with peak k0.
func filterShells(n int, k0 float64) []float64 {
	out := make([]float64, int(math.Round(math.Sqrt2*float64(n/2)))+1)
	mu := math.Log(k0) + 0.25
	for i := range n {
		for j := range n {
			k := math.Hypot(float64(fft.Freq(i, n)), float64(fft.Freq(j, n)))
			if k == 0 {
				continue
			}
			f := math.Exp(-(math.Log(k)-mu)*(math.Log(k)-mu)/0.5) / (k * k)
			out[int(math.Round(k))] += f * f
		}
	}
	return out
}

func argmax(x []float64) int {
	m := 0
	for i, v := range x {
		if v > x[m] {
			m = i
		}
	}
	return m
}
