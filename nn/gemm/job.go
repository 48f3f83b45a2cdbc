package gemm

import (
	"sync/atomic"
	"unsafe"
)

// A job is one Sgemm call split into parts. The calling goroutine and any
// idle pool workers claim parts by decrementing remaining; each goroutine
// packs into scratch of its own (the caller into the job's).
type job struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	ar             *arch
	pl             plan

	own scratchBufs // the calling goroutine's scratch

	// remaining counts unclaimed parts. It is ≤ 0 whenever the job is not
	// being run, so a worker holding a stale pointer claims nothing; the
	// Store that arms it follows the writes of the fields above.
	remaining atomic.Int32
	// pending counts parts not yet finished; a part's writes to C happen
	// before its decrement. Whoever finishes the last part sends on done
	// (capacity 1), which the caller receives before it returns.
	pending atomic.Int32
	done    chan struct{}
}

// scratchBufs holds one goroutine's packing buffers; they only grow.
type scratchBufs struct {
	b, a []float32 // packed B block, packed A slivers
}

// scratch returns *buf resliced to n floats, first growing it to a fresh
// 64-byte-aligned allocation if it is too small.
func scratch(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		raw := make([]float32, n+16)
		off := int((64 - uintptr(unsafe.Pointer(&raw[0]))%64) % 64 / 4)
		*buf = raw[off:]
	}
	return (*buf)[:n]
}

// aGroupFloats bounds the packed A block of a transposed A: about 256 KiB,
// so it sits in L2 beside the packed B while its slivers are used.
const aGroupFloats = 64 << 10

// runPart computes part p of C: jc → pc → pack B → groups of rows (pack A
// if transposed) → slivers of mr rows → panels.
func (j *job) runPart(p int, sb *scratchBufs) {
	i0, i1, c0, c1 := j.pl.bounds(p)
	ar := j.ar
	for jc := c0; jc < c1; jc += ncMax {
		nc := min(ncMax, c1-jc)
		l := ar.layout(nc)
		for pc := 0; pc < j.k; pc += j.pl.kc {
			kc := min(j.pl.kc, j.k-pc)
			bp := scratch(&sb.b, kc*(l.full*ar.wide.nr+l.tailF.nr))
			j.pack(bp, l, pc, kc, jc)
			beta, mode := j.beta, 1
			if pc > 0 {
				beta = 1
			} else if beta == 0 {
				mode = 0
			}
			j.rowBlock(sb, l, bp, i0, i1, pc, kc, jc, nc, beta, mode)
		}
	}
}

// rowBlock runs rows i0..i1 of C against the packed block bp of B
// (columns jc..jc+nc). Its kernel calls prefetch what comes next: the
// next sliver of a row-major A and of C, or the next k block of B and of
// a transposed A, whose packing would otherwise wait on L3.
func (j *job) rowBlock(sb *scratchBufs, l layout, bp []float32, i0, i1, pc, kc, jc, nc int, beta float32, mode int) {
	ar := j.ar
	rs, cs := j.lda, 1
	if j.transA {
		rs, cs = 1, j.lda
	}
	packA := j.transA && ar.packZ != nil
	grp, pld := i1-i0, roundUp(l.mr, 16)
	if packA {
		// The k steps of a transposed A's sliver are lda apart: copy a
		// group of slivers, row by row, into contiguous strips of kc
		// rows of pld floats (whole cache lines).
		grp = max(1, aGroupFloats/(kc*pld)) * l.mr
	}
	npan := l.full
	if l.tail > 0 {
		npan++
	}
	var blockFeed feed
	if pn := pc + kc; j.transA && pn < j.k {
		nsl := (i1 - i0 + l.mr - 1) / l.mr
		blockFeed = newFeed(j.nextBlock(pn, min(j.pl.kc, j.k-pn), jc, nc, i0, i1), nsl*npan, kc)
	}
	call := 0
	for ig := i0; ig < i1; ig += grp {
		ie := min(ig+grp, i1)
		var ap []float32
		if packA {
			nsl := (ie - ig + l.mr - 1) / l.mr
			ap = scratch(&sb.a, nsl*kc*pld)
			last := ie - ig - (nsl-1)*l.mr
			ar.packZ(kc, &j.a[pc*j.lda+ig], j.lda, &ap[0], nsl, l.mr, pld, lowBits(l.mr), lowBits(last))
		}
		for ir := ig; ir < ie; ir += l.mr {
			sl := sliver{a: j.a, ai: ir*rs + pc*cs, rs: rs, cs: cs, rows: min(l.mr, ie-ir)}
			if packA {
				sl.a, sl.ai, sl.rs, sl.cs = ap, (ir-ig)/l.mr*kc*pld, 1, pld
			}
			f, fc := &blockFeed, call
			var sliverFeed feed
			if !j.transA && ir+l.mr < i1 {
				sliverFeed = newFeed(j.sliverSpans(ir+l.mr, min(l.mr, i1-ir-l.mr), pc, kc, jc, nc), npan, kc)
				f, fc = &sliverFeed, 0
			}
			j.panels(l, &sl, bp, kc, ir*j.ldc+jc, beta, mode, f, fc)
			call += npan
		}
	}
}

// A sliver is up to mr rows of op(A) over one k block: element (r,p) at
// a[ai+r*rs+p*cs].
type sliver struct {
	a                []float32
	ai, rs, cs, rows int
}

// panels multiplies sl with every panel of the packed block bp into C at
// c[ci:], the calls taking prefetch shares fc, fc+1, … of f.
func (j *job) panels(l layout, sl *sliver, bp []float32, kc, ci int, beta float32, mode int, f *feed, fc int) {
	npan := l.full
	if l.tail > 0 {
		npan++
	}
	for q := range npan {
		fam, cols, bi, bs, co := j.panel(l, kc, q)
		j.tile(fam, sl, cols, kc, bp, bi, bs, ci+co, beta, mode, f, fc+q)
	}
}

// panel returns panel q of a packed block of kc rows laid out by l: its
// kernel family, columns, offset and row stride in the block, and first
// column.
func (j *job) panel(l layout, kc, q int) (fam *family, cols, bi, bs, co int) {
	w := j.ar.wide.nr
	if q < l.full {
		return &j.ar.wide, w, q * kc * w, w, q * w
	}
	return l.tailF, l.tail, l.full * kc * w, l.tailF.nr, l.full * w
}

// lowBits returns a mask of the n ≤ 32 low bits.
func lowBits(n int) uint32 { return uint32(uint64(1)<<n - 1) }

// tile computes one sl.rows×cols tile of C at c[ci:] from sl and the
// panel bp[bi:] (row stride bs), prefetching call fc's share of f.
func (j *job) tile(fam *family, sl *sliver, cols, kc int, bp []float32, bi, bs, ci int, beta float32, mode int, f *feed, fc int) {
	if fam.kern == nil {
		goKernel(sl.rows, cols, kc, sl.a, sl.ai, sl.rs, sl.cs, bp, bi, bs, j.c, ci, j.ldc, j.alpha, beta, mode)
		return
	}
	pf, pfs, ok := f.at(fc)
	if !ok {
		pf, pfs = &bp[bi], 0 // a line the kernel reads anyway
	}
	fam.kern[sl.rows-1](kc, &sl.a[sl.ai], sl.rs, sl.cs, &bp[bi], bs, &j.c[ci], j.ldc, j.alpha, beta, lowBits(cols), mode, pf, pfs)
}
