package gemm

import "golang.org/x/sys/cpu"

//go:generate go run -C internal/asmgen . -out ../../kern_amd64.s -stubs ../../kern_stubs_amd64.go -pkg gemm

var (
	hasAVX512 = cpu.X86.HasAVX512F
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

// avx512Arch: 12×32 tiles (two zmm of B, 24 accumulators) and, for panels
// of at most 16 columns, 24×16 tiles (one zmm of B, embedded broadcasts).
var avx512Arch = arch{
	path: PathAVX512,
	wide: family{mr: 12, nr: 32, kern: []kernFn{
		kernZ32x1, kernZ32x2, kernZ32x3, kernZ32x4, kernZ32x5, kernZ32x6,
		kernZ32x7, kernZ32x8, kernZ32x9, kernZ32x10, kernZ32x11, kernZ32x12,
	}},
	narrow: family{mr: 24, nr: 16, kern: []kernFn{
		kernZ16x1, kernZ16x2, kernZ16x3, kernZ16x4, kernZ16x5, kernZ16x6,
		kernZ16x7, kernZ16x8, kernZ16x9, kernZ16x10, kernZ16x11, kernZ16x12,
		kernZ16x13, kernZ16x14, kernZ16x15, kernZ16x16, kernZ16x17, kernZ16x18,
		kernZ16x19, kernZ16x20, kernZ16x21, kernZ16x22, kernZ16x23, kernZ16x24,
	}},
	packZ:     packZ,
	transpose: transposeZ,
}

// avx2Arch: 6×16 tiles (two ymm of B, 12 accumulators).
var avx2Arch = arch{
	path: PathAVX2,
	wide: family{mr: 6, nr: 16, kern: []kernFn{
		kernY16x1, kernY16x2, kernY16x3, kernY16x4, kernY16x5, kernY16x6,
	}},
}
