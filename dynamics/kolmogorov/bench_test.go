package kolmogorov

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
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

// BenchmarkTrajectory simulates the reference's trajectories (64 burn-in
// and 64 stored snapshots 0.2 apart: 25.6 time units, stored at 64²) with
// Generate, one trajectory per core on one core and on two, and reports
// seconds per trajectory (wall time / trajectories). The core count is set
// here, not with -cpu, which does not reach sub-benchmarks that use
// b.Loop. The reference's jobs have 5 minutes per trajectory; the goal is
// ≤ 30 s on one core.
func BenchmarkTrajectory(b *testing.B) {
	for _, n := range []int{256, 128} {
		for _, procs := range []int{1, 2} {
			b.Run(fmt.Sprintf("grid=%d/cores=%d", n, procs), func(b *testing.B) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				cfg := DefaultConfig()
				cfg.Grid = n
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Generate(context.Background(), cfg, procs, 1); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(b.Elapsed().Seconds()/float64(b.N*procs), "s/traj")
			})
		}
	}
}
