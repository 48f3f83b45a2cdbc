//go:build !purego

package conv

import (
	"golang.org/x/sys/cpu"

	"sdapipe/nn/gemm"
)

//go:generate go run -C internal/asmgen . -out ../../kern_amd64.s -stubs ../../kern_stubs_amd64.go -pkg conv

var (
	hasAVX512 = cpu.X86.HasAVX512F
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

// avx512Arch: 12×32 tiles (24 zmm accumulators), and 16×16 tiles with
// embedded broadcasts for a last panel of at most 16 columns.
var avx512Arch = arch{
	path: gemm.PathAVX512,
	wide: family{mr: 12, nr: 32, kern: []kernFn{
		convZ32x1, convZ32x2, convZ32x3, convZ32x4, convZ32x5, convZ32x6,
		convZ32x7, convZ32x8, convZ32x9, convZ32x10, convZ32x11, convZ32x12,
	}},
	narrow: family{mr: 16, nr: 16, kern: []kernFn{
		convZ16x1, convZ16x2, convZ16x3, convZ16x4, convZ16x5, convZ16x6, convZ16x7, convZ16x8,
		convZ16x9, convZ16x10, convZ16x11, convZ16x12, convZ16x13, convZ16x14, convZ16x15, convZ16x16,
	}},
	lanes: 16, winoIn: winoInZ, winoOut: winoOutZ, winoGrad: winoGradZ,
}

// avx2Arch: 6×16 tiles (12 ymm accumulators).
var avx2Arch = arch{
	path:   gemm.PathAVX2,
	wide:   family{mr: 6, nr: 16, kern: y16},
	narrow: family{mr: 6, nr: 16, kern: y16},
	lanes:  8, winoIn: winoInY, winoOut: winoOutY, winoGrad: winoGradY,
}

var y16 = []kernFn{convY16x1, convY16x2, convY16x3, convY16x4, convY16x5, convY16x6}
