package gemm

import "fmt"

// A Path names a set of micro-kernels. The zero value, PathAuto, picks the
// fastest path this CPU supports.
type Path int

const (
	// PathAuto picks PathAVX512, PathAVX2 or PathGeneric, in that order of
	// preference, from the CPU's features.
	PathAuto Path = iota
	// PathGeneric is the pure-Go kernel, available everywhere.
	PathGeneric
	// PathAVX2 is the AVX2+FMA assembly kernel (amd64 only).
	PathAVX2
	// PathAVX512 is the AVX-512F assembly kernel (amd64 only).
	PathAVX512
)

// String returns the path's name as used in test and benchmark names.
func (p Path) String() string {
	switch p {
	case PathAuto:
		return "auto"
	case PathGeneric:
		return "generic"
	case PathAVX2:
		return "avx2"
	case PathAVX512:
		return "avx512"
	}
	return fmt.Sprintf("Path(%d)", int(p))
}

// Supported reports whether p can run on this CPU. PathAuto and
// PathGeneric are always supported.
func (p Path) Supported() bool {
	switch p {
	case PathAuto, PathGeneric:
		return true
	case PathAVX2:
		return hasAVX2
	case PathAVX512:
		return hasAVX512
	}
	return false
}

// BestPath returns the path that PathAuto resolves to on this CPU.
func BestPath() Path {
	switch {
	case hasAVX512:
		return PathAVX512
	case hasAVX2:
		return PathAVX2
	}
	return PathGeneric
}

// Paths returns every supported path other than PathAuto, fastest last.
func Paths() []Path {
	ps := []Path{PathGeneric}
	for _, p := range []Path{PathAVX2, PathAVX512} {
		if p.Supported() {
			ps = append(ps, p)
		}
	}
	return ps
}

// kernFn is the signature of every assembly micro-kernel; see
// internal/asmgen for the contract.
type kernFn func(kc int, a *float32, rs, cs int, b *float32, bs int, c *float32, ldc int, alpha, beta float32, mask uint32, mode int, pf *float32, pfs int)

// A family is a set of micro-kernels that compute tiles of up to mr rows
// and nr columns; kern[r-1] computes r rows. A nil kern means the pure-Go
// kernel.
type family struct {
	mr, nr int
	kern   []kernFn
}

// An arch is the kernel set of one path. Column panels are nr(wide) wide,
// except a last panel of at most narrow.nr columns, which uses narrow when
// narrow.nr > 0.
type arch struct {
	path         Path
	wide, narrow family
	// packZ, if not nil, copies strips of rows into contiguous kc×w
	// blocks; it packs transposed A and full panels of B (see packZ).
	packZ func(kc int, src *float32, lds int, dst *float32, nsl, w, ldd int, mask, last uint32)
	// transpose, if not nil, transposes 16×16 blocks (see transposeZ);
	// it packs full panels of a transposed B.
	transpose func(nblk int, src *float32, lds int, dst *float32, ldd int)
}

// genericArch is the pure-Go path.
var genericArch = arch{path: PathGeneric, wide: family{mr: goMR, nr: goNR}}

// archFor resolves p (panicking if the CPU lacks it) to its kernels.
func archFor(p Path) *arch {
	if p == PathAuto {
		p = BestPath()
	}
	if !p.Supported() {
		panic(errUnsupported)
	}
	switch p {
	case PathAVX512:
		return &avx512Arch
	case PathAVX2:
		return &avx2Arch
	}
	return &genericArch
}
