package gemm

import (
	"sync"
	"sync/atomic"
	"time"
)

// PeakGFLOPS measures the FMA throughput, in GFLOP/s, that path p's
// kernels can reach on w goroutines: zmm FMAs for PathAVX512, ymm for
// PathAVX2, and 0 for PathGeneric or off amd64. It is the 100 % mark of
// the benchmarks' %peak columns, and takes a few milliseconds.
//
// Each goroutine runs a loop of independent register-to-register FMAs
// (about 150 µs). The goroutines first meet at a spinning barrier, and the
// rate is w loops over the span from the first start to the last end, best
// of eight. Timing from before the goroutines are started instead, as an
// earlier version did with 35 µs loops, counts the tens of microseconds a
// virtual machine takes to wake an idle core: the second goroutine then
// often ran after the first rather than beside it, so the "two-core peak"
// came out near the one-core peak and %peak read above 100.
func PeakGFLOPS(p Path, w int) float64 {
	f, flops := peakLoop(p)
	if f == nil {
		return 0
	}
	w = max(w, 1)
	const iters = 1 << 16
	best := 0.0
	for range 8 {
		if d := timeBarrier(w, func() { f(iters) }); d > 0 {
			best = max(best, flops*iters*float64(w)/d.Seconds()/1e9)
		}
	}
	return best
}

// timeBarrier runs f on w goroutines that start together and returns the
// time from the first start to the last end.
func timeBarrier(w int, f func()) time.Duration {
	var (
		wg    sync.WaitGroup
		ready atomic.Int32
		mu    sync.Mutex
		first time.Time
		last  time.Time
	)
	for range w {
		wg.Go(func() {
			// Spin until all w goroutines run: the caller is parked in
			// Wait, so on w cores none of them waits for a core.
			ready.Add(1)
			for ready.Load() < int32(w) {
			}
			t0 := time.Now()
			f()
			t1 := time.Now()
			mu.Lock()
			if first.IsZero() || t0.Before(first) {
				first = t0
			}
			if t1.After(last) {
				last = t1
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return last.Sub(first)
}
