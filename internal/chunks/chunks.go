// Package chunks runs numbered chunks of work on a pool of goroutines, the
// fixed-chunk parallelism that keeps sdapipe's results independent of
// GOMAXPROCS: the work is split into chunks by the caller, independently
// of the number of workers, and each chunk writes only its own memory and
// draws only from its own random streams.
package chunks

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Run runs every chunk c in [0, n) on a pool of min(GOMAXPROCS, n)
// goroutines and returns the error of the lowest-numbered chunk that
// failed. Each worker calls newWorker once to get its chunk function, so
// that scratch space (a chain, a generator) is per goroutine. Chunks are
// claimed in order but may finish in any order.
func Run(n int, newWorker func() func(c int) error) error {
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			fn := newWorker()
			for {
				c := int(next.Add(1)) - 1
				if c >= n {
					return
				}
				errs[c] = fn(c)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Do is Run for chunk functions that cannot fail.
func Do(n int, newWorker func() func(c int)) {
	Run(n, func() func(int) error {
		fn := newWorker()
		return func(c int) error { fn(c); return nil }
	})
}

// Each is Do for chunk functions that need no per-worker state.
func Each(n int, fn func(c int)) {
	Do(n, func() func(int) { return fn })
}
