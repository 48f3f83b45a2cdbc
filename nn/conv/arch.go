package conv

import (
	"unsafe"

	"sdapipe/nn/gemm"
)

// A kernFn computes one tile of C as a sum of segments; see
// internal/asmgen for the contract.
type kernFn func(segs *int, nseg int, a *float32, rs, cs int, b *float32, bs int, c *float32, ldc int, bias *float32, mask uint32, mode int)

// A family is a set of kernels for tiles of up to mr rows and nr
// columns: kern[r-1] computes r rows. A nil kern means the pure-Go
// kernel.
type family struct {
	mr, nr int
	kern   []kernFn
}

// An arch is the kernel set of one path. Columns are cut into panels of
// wide.nr; a last panel of at most narrow.nr columns uses narrow.
type arch struct {
	path         gemm.Path
	wide, narrow family
	// lanes, winoIn and winoOut are the Winograd transforms of one vector
	// of lanes channels (see internal/asmgen); nil on the pure-Go path.
	lanes    int
	winoIn   func(r0, r1, r2, r3 *float32, ps int, v *float32, cs, ts, nt int)
	winoOut  func(m *float32, cs, ts int, y0, y1 *float32, ps int, bias *float32, mode, nt int)
	winoGrad func(y0, y1 *float32, ps int, d *float32, cs, ts, nt int)
}

// goArch is the pure-Go path.
var goArch = arch{path: gemm.PathGeneric, wide: family{mr: goMR, nr: goNR}, narrow: family{mr: goMR, nr: goNR}}

// archFor resolves p to its kernels; it panics if the CPU lacks p.
func archFor(p gemm.Path) *arch {
	if p == gemm.PathAuto {
		switch {
		case hasAVX512:
			p = gemm.PathAVX512
		case hasAVX2:
			p = gemm.PathAVX2
		default:
			p = gemm.PathGeneric
		}
	}
	switch {
	case p == gemm.PathAVX512 && hasAVX512:
		return &avx512Arch
	case p == gemm.PathAVX2 && hasAVX2:
		return &avx2Arch
	case p == gemm.PathGeneric:
		return &goArch
	}
	panic("conv: kernel path " + p.String() + " is not supported by this CPU")
}

// A panel is a run of cols output columns from col0, computed by fam from
// a packed block whose rows are stride floats wide.
type panel struct {
	col0, cols, stride int
	fam                *family
}

// panels cuts n columns into panels for ar: full panels of wide.nr, then
// a last, narrower one. It appends to dst and returns it.
func (ar *arch) panels(dst []panel, n int) []panel {
	dst = dst[:0]
	w := ar.wide.nr
	c := 0
	for ; c+w <= n; c += w {
		dst = append(dst, panel{c, w, w, &ar.wide})
	}
	if t := n - c; t > 0 {
		if t <= ar.narrow.nr {
			dst = append(dst, panel{c, t, ar.narrow.nr, &ar.narrow})
		} else {
			dst = append(dst, panel{c, t, w, &ar.wide})
		}
	}
	return dst
}

// packedLen returns the floats of a k-row matrix of n columns packed into
// ar's panels.
func (ar *arch) packedLen(k, n int) int {
	var buf [64]panel
	s := 0
	for _, p := range ar.panels(buf[:0], n) {
		s += k * p.stride
	}
	return s
}

// tiles cuts n rows into the fewest tiles of at most mr, as equal as
// possible (larger ones first), appending their sizes to dst.
func tiles(dst []int, n, mr int) []int {
	dst = dst[:0]
	cnt := (n + mr - 1) / mr
	for i := range cnt {
		sz := n / cnt
		if i < n%cnt {
			sz++
		}
		dst = append(dst, sz)
	}
	return dst
}

// call runs fam's kernel for a rows×p.cols tile. Offsets are in floats:
// the segments' aoff and boff are bytes from &a[ai] and &b[bi]; C starts
// at c[ci] with row stride ldc; bias (may be nil) is indexed by column
// from p.col0.
func (p *panel) call(rows int, segs []seg, a []float32, ai, rs, cs int, b []float32, bi, bs int, c []float32, ci, ldc int, bias []float32, mode int) {
	f := p.fam
	var bp *float32
	if bias != nil {
		bias = bias[p.col0:]
		bp = &bias[0]
	}
	if f.kern == nil {
		goKernel(rows, p.cols, segs, a, ai, rs, cs, b, bi, bs, c, ci, ldc, bias, mode)
		return
	}
	mask := uint32(uint64(1)<<p.cols - 1)
	f.kern[rows-1](&segs[0].aoff, len(segs), (*float32)(unsafe.Pointer(&a[ai])), rs, cs, &b[bi], bs, &c[ci], ldc, bp, mask, mode)
}

// Supported reports whether p's kernels run on this CPU (in this build).
func Supported(p gemm.Path) bool {
	switch p {
	case gemm.PathAuto, gemm.PathGeneric:
		return true
	case gemm.PathAVX2:
		return hasAVX2
	case gemm.PathAVX512:
		return hasAVX512
	}
	return false
}

// Paths returns every supported path but PathAuto, fastest last.
func Paths() []gemm.Path {
	ps := []gemm.Path{gemm.PathGeneric}
	for _, p := range []gemm.Path{gemm.PathAVX2, gemm.PathAVX512} {
		if Supported(p) {
			ps = append(ps, p)
		}
	}
	return ps
}
