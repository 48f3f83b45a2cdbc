package gemm

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// A job is one Sgemm call split into parts. The calling goroutine and any
// idle pool workers claim parts by decrementing remaining; a part's
// scratch is bufs[part], so no two goroutines share a buffer.
type job struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	ar             *arch
	pl             plan

	bufs [maxParts][]float32

	// remaining counts unclaimed parts. It is ≤ 0 whenever the job is not
	// being run, so a worker holding a stale pointer claims nothing; the
	// Store that arms it follows the writes of the fields above.
	remaining atomic.Int32
	wg        sync.WaitGroup
}

var jobPool = sync.Pool{New: func() any { return new(job) }}

// workers is the pool of persistent helper goroutines.
var workers struct {
	mu      sync.Mutex
	started atomic.Int32
	ch      chan *job
}

func init() { workers.ch = make(chan *job, maxParts) }

// run executes all parts of j on the calling goroutine and up to helpers
// pool workers, and returns when every part is done.
func (j *job) run(helpers int) {
	parts := j.pl.parts
	j.wg.Add(parts)
	j.remaining.Store(int32(parts))
	if helpers > 0 {
		startWorkers(helpers)
		for range helpers {
			select {
			case workers.ch <- j:
			default: // every worker busy: the caller does the part
			}
		}
	}
	j.work()
	j.wg.Wait()
	j.remaining.Store(-1 << 30)
}

// work claims and runs parts until none is left.
func (j *job) work() {
	for {
		p := j.remaining.Add(-1)
		if p < 0 {
			return
		}
		j.runPart(int(p))
		j.wg.Done()
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
		go func() {
			for j := range workers.ch {
				j.work()
			}
		}()
		workers.started.Add(1)
	}
}

// buffer returns part p's scratch of n floats, 64-byte aligned.
func (j *job) buffer(p, n int) []float32 {
	buf := j.bufs[p]
	if cap(buf) < n {
		raw := make([]float32, n+16)
		off := int((64 - uintptr(unsafe.Pointer(&raw[0]))%64) % 64 / 4)
		buf = raw[off:]
		j.bufs[p] = buf
	}
	return buf[:n]
}

// runPart computes part p of C: jc → pc → pack B → rows (mr) → panels.
func (j *job) runPart(p int) {
	i0, i1, c0, c1 := 0, j.m, 0, j.n
	if j.pl.parts > 1 {
		lo, hi := &i0, &i1
		if !j.pl.splitM {
			lo, hi = &c0, &c1
		}
		if p == 0 {
			*hi = j.pl.cut
		} else {
			*lo = j.pl.cut
		}
	}
	rs, cs := j.lda, 1
	if j.transA {
		rs, cs = 1, j.lda
	}
	ar := j.ar
	for jc := c0; jc < c1; jc += ncMax {
		nc := min(ncMax, c1-jc)
		l := ar.layout(nc)
		for pc := 0; pc < j.k; pc += j.pl.kc {
			kc := min(j.pl.kc, j.k-pc)
			bp := j.buffer(p, kc*(l.full*ar.wide.nr+l.tailF.nr))
			j.pack(bp, l, pc, kc, jc)
			mode, beta := 1, j.beta
			if pc > 0 {
				beta = 1
			} else if beta == 0 {
				mode = 0
			}
			for ir := i0; ir < i1; ir += l.mr {
				rows := min(l.mr, i1-ir)
				ai := ir*rs + pc*cs
				ci := ir*j.ldc + jc
				for q := 0; q < l.full; q++ {
					j.tile(&ar.wide, rows, ar.wide.nr, kc, ai, rs, cs, bp, q*kc*ar.wide.nr, ci+q*ar.wide.nr, beta, mode)
				}
				if l.tail > 0 {
					w := l.full * ar.wide.nr
					j.tile(l.tailF, rows, l.tail, kc, ai, rs, cs, bp, kc*w, ci+w, beta, mode)
				}
			}
		}
	}
}

// pack packs rows pc..pc+kc of op(B), columns jc.. as laid out by l.
func (j *job) pack(dst []float32, l layout, pc, kc, jc int) {
	nr := j.ar.wide.nr
	pk := packN
	if j.transB {
		pk = packT
	}
	for q := 0; q < l.full; q++ {
		pk(dst[q*kc*nr:], j.b, j.ldb, pc, kc, jc+q*nr, nr, nr)
	}
	if l.tail > 0 {
		pk(dst[l.full*kc*nr:], j.b, j.ldb, pc, kc, jc+l.full*nr, l.tail, l.tailF.nr)
	}
}

// tile computes one rows×cols tile of C at c[ci:] from the A sliver at
// a[ai:] and the packed panel bp[bi:] (row stride f.nr).
func (j *job) tile(f *family, rows, cols, kc, ai, rs, cs int, bp []float32, bi, ci int, beta float32, mode int) {
	if f.kern == nil {
		goKernel(rows, cols, kc, j.a, ai, rs, cs, bp, bi, f.nr, j.c, ci, j.ldc, j.alpha, beta, mode)
		return
	}
	mask := uint32(uint64(1)<<cols - 1)
	f.kern[rows-1](kc, &j.a[ai], rs, cs, &bp[bi], f.nr, &j.c[ci], j.ldc, j.alpha, beta, mask, mode)
}
