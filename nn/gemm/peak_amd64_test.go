package gemm

import (
	"fmt"
	"sync"
	"testing"
)

// BenchmarkFMAPeak measures the machine's FMA throughput with loops of
// independent VFMADD231PS (no loads), on one goroutine and on two, as the
// 100 % mark for BenchmarkSgemm's GFLOP/s.
func BenchmarkFMAPeak(b *testing.B) {
	kinds := []struct {
		name  string
		ok    bool
		f     func(int)
		flops float64 // per iteration
	}{
		{"zmm", hasAVX512, fmaPeakZ, 16 * 16 * 2},
		{"ymm", hasAVX2, fmaPeakY, 12 * 8 * 2},
	}
	const iters = 1 << 16
	for _, kd := range kinds {
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/w=%d", kd.name, w), func(b *testing.B) {
				if !kd.ok {
					b.Skipf("CPU lacks %s FMA", kd.name)
				}
				var wg sync.WaitGroup
				for b.Loop() {
					for range w {
						wg.Go(func() { kd.f(iters) })
					}
					wg.Wait()
				}
				flops := kd.flops * iters * float64(w) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
