package gemm

import (
	"fmt"
	"sync"
	"testing"
	"time"
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
	const iters = 1 << 18 // about 1 ms, so goroutine start-up is noise
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

// peakGFLOPS measures the FMA peak that path p's kernels can reach (zmm
// for AVX-512, ymm for AVX2) on w goroutines, best of eight 1–2 ms runs;
// 0 for the pure-Go path. BenchmarkSgemm takes it just before and after
// its loop, so its %peak compares numbers taken under the same load from
// other processes.
func peakGFLOPS(p Path, w int) float64 {
	if p == PathAuto {
		p = BestPath()
	}
	f, flops := fmaPeakZ, 16*16*2.0
	switch p {
	case PathAVX512:
	case PathAVX2:
		f, flops = fmaPeakY, 12*8*2.0
	default:
		return 0
	}
	const iters = 1 << 14
	var wg sync.WaitGroup
	best := 0.0
	for range 8 {
		start := time.Now()
		for range w {
			wg.Go(func() { f(iters) })
		}
		wg.Wait()
		best = max(best, flops*iters*float64(w)/time.Since(start).Seconds()/1e9)
	}
	return best
}
