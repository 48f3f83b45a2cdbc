package kolmogorov

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkStep times one inner time step at each grid size.
func BenchmarkStep(b *testing.B) {
	for _, n := range []int{64, 128, 256} {
		b.Run(fmt.Sprintf("grid=%d", n), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Grid = n
			s, err := NewSolver(cfg)
			if err != nil {
				b.Fatal(err)
			}
			x := make([]float64, 2*n*n)
			s.InitialField(x, rand.New(rand.NewPCG(1, 2)))
			b.ReportAllocs()
			for b.Loop() {
				s.Step(x)
			}
		})
	}
}
