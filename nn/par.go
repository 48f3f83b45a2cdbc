package nn

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// A rangeJob processes items [lo, hi) of some pass. Implementations are
// small structs owned by a Tape or a Net's workspace, so handing one to
// parallelFor allocates nothing.
type rangeJob interface{ run(lo, hi int) }

// A task is one parallelFor call shared with the helper goroutines.
type task struct {
	job           rangeJob
	ext           RangeJob // set instead of job by ParallelFor
	n, grain, cnt int
	next          atomic.Int64
	wg            sync.WaitGroup
}

func (t *task) work() {
	for {
		c := int(t.next.Add(1) - 1)
		if c >= t.cnt {
			return
		}
		lo, hi := c*t.grain, min((c+1)*t.grain, t.n)
		if t.ext != nil {
			t.ext.Run(lo, hi)
		} else {
			t.job.run(lo, hi)
		}
	}
}

// workers is the package's pool of persistent helper goroutines. They are
// started on first use, one fewer than the largest GOMAXPROCS seen, and park
// on ch between passes.
var workers struct {
	mu      sync.Mutex
	started int
	ch      chan *task
	free    []*task
}

// parallelFor runs job over [0, n) in chunks of grain items. Chunk c always
// covers [c·grain, min((c+1)·grain, n)), whatever GOMAXPROCS is; chunks run
// concurrently, in no particular order, on the caller and idle helpers.
func parallelFor(n, grain int, job rangeJob) { parallelOver(n, grain, job, nil) }

// parallelForExt is parallelFor for an exported RangeJob.
func parallelForExt(n, grain int, job RangeJob) { parallelOver(n, grain, nil, job) }

// parallelOver runs job, or ext when job is nil, as parallelFor describes.
func parallelOver(n, grain int, job rangeJob, ext RangeJob) {
	if n <= 0 {
		return
	}
	grain = max(grain, 1)
	cnt := (n + grain - 1) / grain
	procs := runtime.GOMAXPROCS(0)
	if cnt == 1 || procs == 1 {
		for lo := 0; lo < n; lo += grain {
			if ext != nil {
				ext.Run(lo, min(lo+grain, n))
			} else {
				job.run(lo, min(lo+grain, n))
			}
		}
		return
	}
	helpers := min(procs, cnt) - 1
	t := getTask(helpers)
	t.job, t.ext, t.n, t.grain, t.cnt = job, ext, n, grain, cnt
	t.next.Store(0)
	for range helpers {
		t.wg.Add(1)
		select {
		case workers.ch <- t:
		default:
			t.wg.Done() // every helper is busy: do the work here
		}
	}
	t.work()
	t.wg.Wait()
	t.job, t.ext = nil, nil
	putTask(t)
}

func getTask(helpers int) *task {
	workers.mu.Lock()
	defer workers.mu.Unlock()
	if workers.ch == nil {
		workers.ch = make(chan *task, 64)
	}
	for workers.started < helpers {
		workers.started++
		go helper(workers.ch)
	}
	if k := len(workers.free); k > 0 {
		t := workers.free[k-1]
		workers.free = workers.free[:k-1]
		return t
	}
	return new(task)
}

func putTask(t *task) {
	workers.mu.Lock()
	workers.free = append(workers.free, t)
	workers.mu.Unlock()
}

func helper(ch chan *task) {
	for t := range ch {
		t.work()
		t.wg.Done()
	}
}

// runJob runs job over [0, n) in chunks of grain: on the calling goroutine
// alone if serial, else through parallelFor. The chunks are the same.
func runJob(serial bool, n, grain int, job rangeJob) {
	if !serial {
		parallelFor(n, grain, job)
		return
	}
	grain = max(grain, 1)
	for lo := 0; lo < n; lo += grain {
		job.run(lo, min(lo+grain, n))
	}
}

// rowGrain returns a chunk size in rows for a pass over rows of cols values:
// about 16K values per chunk, at least one row. It depends on cols only, so
// chunk boundaries never depend on the machine.
func rowGrain(cols int) int {
	return max(1, (16<<10)/max(cols, 1))
}
