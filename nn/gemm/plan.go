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
	kc     int  // length of the k blocks [t·kc, min((t+1)·kc, k))
	parts  int  // 1..maxParts
	splitM bool // parts split the rows of C (else its columns)
	// cuts[p]..cuts[p+1] are part p's rows or columns.
	cuts [maxParts + 1]int
}

// makePlan decomposes an m×n×k product (m, n, k > 0) for ar.
//
// k is cut into the fewest blocks of at most kcMax, of equal length but for
// the last. Large products are split by rows when C is tall (each part
// then packs all of B but reads its own rows of A), in more parts the
// taller it is, and in two by columns otherwise (each part packs half of
// B, which matters when B is reloaded for every k block, as in the Xᵀ·dY
// weight gradients). Cuts fall on multiples of the tile size.
func makePlan(ar *arch, m, n, k int) plan {
	nb := (k + kcMax - 1) / kcMax
	pl := plan{kc: (k + nb - 1) / nb, parts: 1}
	if 2*float64(m)*float64(n)*float64(k) < parMinFlops {
		return pl
	}
	mr, nr := ar.wide.mr, ar.wide.nr
	if n <= ar.narrow.nr {
		mr = ar.narrow.mr
	}
	size, unit, parts := n, nr, 2
	if m >= 2*n || n < 2*nr {
		pl.splitM = true
		size, unit, parts = m, mr, min(maxParts, max(2, m/tallRows))
	}
	pl.parts = 0
	for p := 1; p <= parts; p++ {
		if c := min(size, roundUp(p*size/parts, unit)); c > pl.cuts[pl.parts] {
			pl.parts++
			pl.cuts[pl.parts] = c
		}
	}
	return pl
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
