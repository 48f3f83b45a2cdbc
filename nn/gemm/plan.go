package gemm

// Blocking parameters. They depend on nothing but the shape and the path,
// so the work split, and with it every result bit, is the same whatever
// GOMAXPROCS or Config.Workers say.
const (
	// kcMax bounds the k block: a 12×kc sliver of A (12 KiB) stays in L1
	// and the kc×n block of B in L2 (256 KiB for n = 256).
	kcMax = 256
	// ncMax bounds the columns of C handled per packed block of B.
	ncMax = 512
	// maxParts bounds the parts a product is split into. The parts are
	// claimed one at a time by min(Workers, parts) goroutines.
	maxParts = 8
	// parMinFlops is the work (2mnk) below which a product is not split:
	// about 8 µs at 250 GFLOP/s, where a second goroutine stops paying.
	parMinFlops = 2 << 20
	// tallRows is the row count per part of a tall product beyond two
	// parts: more, smaller parts let a goroutine on an idle core take
	// over the work of one that shares its core with another process.
	// Each part packs its own copy of B, which is cheap next to ≥ 1536
	// rows of work.
	tallRows = 1536
)

// A plan is the fixed decomposition of one product.
type plan struct {
	kc     int // length of the k blocks [t·kc, min((t+1)·kc, k))
	pm, pn int // parts = pm·pn ≤ maxParts, a grid of row and column bands
	// rc[i]..rc[i+1] are the rows of band i, cc[j]..cc[j+1] the columns
	// of band j; part p is band p/pn by band p%pn.
	rc, cc [maxParts + 1]int
}

func (pl *plan) parts() int { return pl.pm * pl.pn }

// bounds returns part p's rows i0..i1 and columns c0..c1 of C.
func (pl *plan) bounds(p int) (i0, i1, c0, c1 int) {
	i, j := p/pl.pn, p%pl.pn
	return pl.rc[i], pl.rc[i+1], pl.cc[j], pl.cc[j+1]
}

// makePlan decomposes an m×n×k product (m, n, k > 0) for ar.
//
// k is cut into the fewest blocks of at most kcMax, of equal length but for
// the last. Large products are split into parts: a tall C into two to
// eight row bands, more the taller it is (each part packs all of B, which
// is cheap next to its rows of A; several parts per goroutine let one on
// an idle core take over from one that shares its core with another
// process), anything else into two column bands (each part packs half of
// B and reads or packs all of A; a 2×2 grid would pack B twice, which
// costs a transposed A or B up to 10% on one goroutine). Cuts fall on
// multiples of the tile size.
func makePlan(ar *arch, m, n, k int) plan {
	nb := (k + kcMax - 1) / kcMax
	pl := plan{kc: (k + nb - 1) / nb, pm: 1, pn: 1}
	pl.rc[1], pl.cc[1] = m, n
	if 2*float64(m)*float64(n)*float64(k) < parMinFlops {
		return pl
	}
	mr, nr := ar.wide.mr, ar.wide.nr
	if n <= ar.narrow.nr {
		mr = ar.narrow.mr
	}
	if m >= 2*n || n < 2*nr {
		pl.pm = cut(pl.rc[:], m, mr, min(maxParts, max(2, m/tallRows)))
		return pl
	}
	pl.pn = cut(pl.cc[:], n, nr, 2)
	return pl
}

// cut writes into dst[1:] the ends of up to parts bands of size, each
// ending on a multiple of unit but the last, and returns how many there
// are (fewer when size is short of units).
func cut(dst []int, size, unit, parts int) int {
	n := 0
	for p := 1; p <= parts; p++ {
		if c := min(size, roundUp(p*size/parts, unit)); c > dst[n] {
			n++
			dst[n] = c
		}
	}
	return n
}

// A layout is how a block of nc columns of C is cut into panels: full
// panels of wide.nr columns, then possibly one last panel of tail columns
// computed by tailF. Rows go mr at a time.
type layout struct {
	mr    int
	full  int
	tail  int
	tailF *family
}

func (ar *arch) layout(nc int) layout {
	w := &ar.wide
	l := layout{mr: w.mr, full: nc / w.nr, tail: nc % w.nr, tailF: w}
	if l.tail > 0 && l.tail <= ar.narrow.nr {
		l.tailF = &ar.narrow
		if l.full == 0 {
			l.mr = ar.narrow.mr
		}
	}
	return l
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }
