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
	// maxParts is the number of parts a large product is split into; the
	// parts run on min(Workers, maxParts) goroutines.
	maxParts = 2
	// parMinFlops is the work (2mnk) below which a product is not split:
	// about 8 µs at 250 GFLOP/s, where waking a second goroutine stops
	// paying.
	parMinFlops = 2 << 20
)

// A plan is the fixed decomposition of one product.
type plan struct {
	kc     int  // length of the k blocks [t·kc, min((t+1)·kc, k))
	parts  int  // 1 or 2
	splitM bool // parts split the rows of C (else its columns)
	cut    int  // first row or column of part 1
}

// makePlan decomposes an m×n×k product (m, n, k > 0) for ar.
//
// k is cut into the fewest blocks of at most kcMax, of equal length but for
// the last. Large products are split in two: by rows when C is tall (each
// part then packs all of B but reads half of A) and by columns otherwise
// (each part packs half of B, which matters when B is reloaded for every k
// block, as in the Xᵀ·dY weight gradients).
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
	if m >= 2*n || n < 2*nr {
		if cut := roundUp((m+1)/2, mr); cut < m {
			pl.parts, pl.splitM, pl.cut = 2, true, cut
		}
	} else if cut := roundUp((n+1)/2, nr); cut < n {
		pl.parts, pl.cut = 2, cut
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
