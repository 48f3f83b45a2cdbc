package metrics

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkW1 measures the method notes' metric 3 at full size: 1024 vs 1024
// trajectories of 65×3 = 195 values (POT's emd2 takes ~1 s), in total and
// split into the cost matrix and the assignment. "clusters" mimics a BPF
// ensemble: y holds 150 distinct rows, repeated, as resampled paths are.
func BenchmarkW1(b *testing.B) {
	const d = 195
	for _, n := range []int{256, 1024} {
		for _, kind := range []string{"gaussian", "clusters"} {
			rng := rand.New(rand.NewPCG(1, 2))
			x, y := gaussianSet(rng, n, d, 0), gaussianSet(rng, n, d, 0.1)
			if kind == "clusters" {
				for i := range n {
					copy(y[i*d:(i+1)*d], y[rng.IntN(150)*d:])
				}
			}
			b.Run(fmt.Sprintf("n=%d/%s/total", n, kind), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := W1(x, y, d); err != nil {
						b.Fatal(err)
					}
				}
			})
			cost := make([]float64, n*n)
			EuclideanCost(cost, x, y, d) // for the assign case when run alone
			b.Run(fmt.Sprintf("n=%d/%s/cost", n, kind), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					EuclideanCost(cost, x, y, d)
				}
			})
			perm := make([]int, n)
			b.Run(fmt.Sprintf("n=%d/%s/assign", n, kind), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Assign(perm, cost, n); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkExpectedLogPrior(b *testing.B) {
	l := dynamicsLorenz()
	data := lorenzData(b, 1024, 65)
	b.ReportAllocs()
	for b.Loop() {
		ExpectedLogPrior(l, data, 65)
	}
}
