package gemm

import (
	"fmt"
	"testing"
)

// BenchmarkFMAPeak reports the FMA throughput of the zmm and ymm loops on
// one goroutine and on two, timed as PeakGFLOPS times them (a spinning
// start barrier, first start to last end). It reports the best iteration,
// as PeakGFLOPS does: on a shared virtual machine a mean mostly measures
// how much time the host takes away.
func BenchmarkFMAPeak(b *testing.B) {
	for _, p := range []Path{PathAVX512, PathAVX2} {
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%v/w=%d", p, w), func(b *testing.B) {
				f, flops := peakLoop(p)
				if f == nil {
					b.Skipf("CPU lacks %v", p)
				}
				const iters = 1 << 16
				best := 0.0
				for b.Loop() {
					d := timeBarrier(w, func() { f(iters) })
					best = max(best, flops*iters*float64(w)/d.Seconds()/1e9)
				}
				b.ReportMetric(best, "GFLOP/s")
			})
		}
	}
}
