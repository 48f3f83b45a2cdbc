package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

var jobPool = sync.Pool{New: func() any { return &job{done: make(chan struct{}, 1)} }}

// workers is the pool of persistent helper goroutines.
var workers struct {
	mu      sync.Mutex
	started atomic.Int32
	ch      chan *job
}

func init() { workers.ch = make(chan *job, maxParts) }

// spinWait is how long a helper keeps polling for the next job before it
// parks, and the caller for the last parts before it blocks. The products
// of a network's layers follow each other within microseconds, while
// waking a parked goroutine takes tens of them; but a spinning goroutine
// takes CPU from any thread that shares its core, so spins stay short.
const spinWait = 50 * time.Microsecond

// run executes all parts of j on the calling goroutine and up to helpers
// pool workers, and returns when every part is done. The caller claims
// parts too, so a part no worker picks up in time is done by the caller,
// and run never waits on a worker that has not started.
func (j *job) run(helpers int) {
	parts := int32(j.pl.parts())
	j.pending.Store(parts)
	j.remaining.Store(parts)
	if helpers > 0 {
		startWorkers(helpers)
		for range helpers {
			select {
			case workers.ch <- j:
			default: // workers busy: the caller does the part
			}
		}
	}
	j.work(&j.own)
	// Any part still pending was claimed by a worker that is running it:
	// poll briefly (the parts end together when the cores are free), then
	// block, so as not to take CPU from a worker that shares our core.
	for deadline := time.Now().Add(spinWait); j.pending.Load() > 0 && time.Now().Before(deadline); {
		runtime.Gosched()
	}
	<-j.done
	j.remaining.Store(-1 << 30)
}

// work claims and runs parts, packing into sb, until none is left.
func (j *job) work(sb *scratchBufs) {
	for {
		p := j.remaining.Add(-1)
		if p < 0 {
			return
		}
		j.runPart(int(p), sb)
		if j.pending.Add(-1) == 0 {
			j.done <- struct{}{}
		}
	}
}

// startWorkers makes sure n helper goroutines exist. They live for the
// rest of the process, parked on the channel when idle.
func startWorkers(n int) {
	if int(workers.started.Load()) >= n {
		return
	}
	workers.mu.Lock()
	defer workers.mu.Unlock()
	for int(workers.started.Load()) < n {
		go helper()
		workers.started.Add(1)
	}
}

// helper runs jobs from the channel, polling for spinWait after each
// before it blocks again. Its packing buffers live as long as it does.
func helper() {
	var sb scratchBufs
	for j := range workers.ch {
		j.work(&sb)
		for deadline := time.Now().Add(spinWait); time.Now().Before(deadline); {
			select {
			case j := <-workers.ch:
				j.work(&sb)
				deadline = time.Now().Add(spinWait)
			default:
				runtime.Gosched()
			}
		}
	}
}
