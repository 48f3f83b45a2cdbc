package filters

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAliasTableMultinomial checks the draw frequencies against the
// weights: each count is Binomial(R, p_i), so it lies within 5 standard
// deviations √(R·p_i(1−p_i)) of R·p_i; zero weights are never drawn.
func TestAliasTableMultinomial(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(1, 1))
	random := make([]float64, 50)
	for i := range random {
		random[i] = math.Exp(3 * rnd.NormFloat64()) // weights over ~8 orders of magnitude
	}
	tests := []struct {
		name string
		w    []float64
	}{
		{"uniform", []float64{1, 1, 1, 1, 1, 1, 1, 1}},
		{"zeros", []float64{0, 2, 0, 1, 0, 0, 5, 0}},
		{"one particle", []float64{0, 0, 3, 0}},
		{"dominant", []float64{1e-12, 1, 1e-3, 1e-6}},
		{"single", []float64{0.7}},
		{"lognormal", random},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var total float64
			for _, w := range tc.w {
				total += w
			}
			tab := newAliasTable(len(tc.w))
			tab.build(tc.w, total)
			const R = 400_000
			draws := make([]int32, R)
			tab.draw(draws, rand.New(rand.NewPCG(2, 3)))
			counts := make([]float64, len(tc.w))
			for _, a := range draws {
				counts[a]++
			}
			for i, w := range tc.w {
				p := w / total
				if w == 0 && counts[i] != 0 {
					t.Errorf("index %d has weight 0 but was drawn %v times", i, counts[i])
				}
				if tol := 5 * math.Sqrt(R*p*(1-p)); math.Abs(counts[i]-R*p) > tol+1e-9 {
					t.Errorf("index %d: %v draws, want %.1f ± %.1f", i, counts[i], R*p, tol)
				}
			}
		})
	}
}

// TestAliasTableOrder checks that draws come in random order, not sorted
// (as systematic or sorted-uniform resampling would give): for independent
// uniform draws on n values, a[i] < a[i+1] with probability (1 − 1/n)/2,
// and the count of such ascents over n−1 pairs has standard deviation
// about √(n/12) (Eulerian statistics).
func TestAliasTableOrder(t *testing.T) {
	t.Parallel()
	const n = 1 << 14
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	tab := newAliasTable(n)
	tab.build(w, n)
	a := make([]int32, n)
	tab.draw(a, rand.New(rand.NewPCG(4, 4)))
	var asc float64
	for i := 1; i < n; i++ {
		if a[i-1] < a[i] {
			asc++
		}
	}
	want := (n - 1) * (1 - 1.0/n) / 2
	if tol := 5 * math.Sqrt(n/12.0); math.Abs(asc-want) > tol {
		t.Errorf("%v ascents among %d draws, want %.0f ± %.0f", asc, n, want, tol)
	}
}

func TestAliasTableNoAlloc(t *testing.T) {
	w := []float64{1, 2, 3, 0, 5}
	tab := newAliasTable(len(w))
	dst := make([]int32, 100)
	rng := rand.New(rand.NewPCG(1, 2))
	if n := testing.AllocsPerRun(50, func() {
		tab.build(w, 11)
		tab.draw(dst, rng)
	}); n != 0 {
		t.Fatalf("build+draw allocated %v times, want 0", n)
	}
}
