package dynamics

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// forChunks runs every chunk c in [0, n) on a pool of min(GOMAXPROCS, n)
// goroutines and returns the error of the lowest-numbered chunk that
// failed. Each worker calls newWorker once to get its chunk function, so
// that scratch space (a Chain, a generator) is per goroutine. Chunks are
// claimed in order but may finish in any order: a chunk function must
// write only chunk-owned memory and draw only from chunk-owned streams;
// results are then independent of GOMAXPROCS.
func forChunks(n int, newWorker func() func(c int) error) error {
	errs := make([]error, n)
	workers := min(runtime.GOMAXPROCS(0), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
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
