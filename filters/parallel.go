package filters

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// forChunks runs every chunk c in [0, n) on a pool of min(GOMAXPROCS, n)
// goroutines. Each worker calls newWorker once to get its chunk function,
// so that scratch space is per goroutine. Chunk functions must write only
// chunk-owned memory and draw only from chunk-owned streams; results are
// then independent of GOMAXPROCS and of the order chunks finish in.
func forChunks(n int, newWorker func() func(c int)) {
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
				fn(c)
			}
		})
	}
	wg.Wait()
}
