package gemm

// A span is a run x[off:off+n] of an operand that later work will read.
type span struct {
	x      []float32
	off, n int
}

// A feed spreads the 64-byte lines of up to two spans evenly over a
// number of micro-kernel calls, as each call's prefetch stream: call c
// prefetches about lines [c·per, (c+1)·per) of the spans laid end to end,
// one line or part of one per k step (see internal/asmgen).
type feed struct {
	spans [2]span
	lines [2]int // lines of each span
	per   int    // lines per call; 0 means no prefetching
	pfs   int    // bytes the stream advances per k step
}

// newFeed returns a feed of spans over calls calls of kc k steps each.
func newFeed(spans [2]span, calls, kc int) feed {
	f := feed{spans: spans}
	total := 0
	for i, s := range spans {
		f.lines[i] = (s.n + 15) / 16
		total += f.lines[i]
	}
	if total == 0 || calls == 0 {
		return f
	}
	f.per = (total + calls - 1) / calls
	f.pfs = (64*f.per + kc - 1) / kc
	return f
}

// at returns call c's prefetch start and stride; ok is false when the feed
// has nothing for it.
func (f *feed) at(c int) (pf *float32, pfs int, ok bool) {
	line := c * f.per
	for i := range f.spans {
		if f.per > 0 && line < f.lines[i] {
			s := &f.spans[i]
			return &s.x[s.off+16*line], f.pfs, true
		}
		line -= f.lines[i]
	}
	return nil, 0, false
}

// nextBlock returns the spans of the stored B and (when transposed, hence
// packed from its rows) A that the k block at pn of length kc will pack,
// for columns jc..jc+nc and rows i0..i1 of C.
func (j *job) nextBlock(pn, kc, jc, nc, i0, i1 int) (s [2]span) {
	if j.transB {
		s[0] = span{j.b, jc*j.ldb + pn, (nc-1)*j.ldb + kc}
	} else {
		s[0] = span{j.b, pn*j.ldb + jc, (kc-1)*j.ldb + nc}
	}
	if j.transA {
		s[1] = span{j.a, pn*j.lda + i0, (kc-1)*j.lda + (i1 - i0)}
	}
	return s
}

// sliverSpans returns the spans of the sliver at rows r0..r0+rows of a
// row-major A (columns pc..pc+kc), unless it is mostly gaps between rows,
// and of C (columns jc..jc+nc), which a large product otherwise stalls on
// when the tile is first read or written.
func (j *job) sliverSpans(r0, rows, pc, kc, jc, nc int) (s [2]span) {
	if n := (rows-1)*j.lda + kc; n <= 2*rows*kc {
		s[0] = span{j.a, r0*j.lda + pc, n}
	}
	if n := (rows-1)*j.ldc + nc; n <= 2*rows*nc {
		s[1] = span{j.c, r0*j.ldc + jc, n}
	}
	return s
}
