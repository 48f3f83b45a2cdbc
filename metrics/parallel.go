package metrics

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// forChunks calls fn(c) for every chunk c in [0, n) on a pool of
// min(GOMAXPROCS, n) goroutines. fn must write only chunk-owned memory;
// results are then independent of GOMAXPROCS.
func forChunks(n int, fn func(c int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				c := int(next.Add(1)) - 1
				if c >= n {
					return
				}
				fn(c)
			}
		})
	}
	wg.Wait()
}
