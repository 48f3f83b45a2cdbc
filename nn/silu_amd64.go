//go:build !purego

package nn

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// haveAVX512 selects the AVX-512 kernels; tests turn it off to check the
// portable ones.
var haveAVX512 = cpu.X86.HasAVX512F

// biasSiLUAVX512 replaces y[j] by silu(y[j] + b[j]) for j < n and, if d
// is not nil, writes silu'(y[j] + b[j]) into d[j].
//
//go:noescape
func biasSiLUAVX512(y, d, b *float32, n int)

// biasSiLURow is biasSiLURows for one row; d may be nil.
func biasSiLURow(y, d, b []float32) {
	if !(haveAVX512 || haveAVX2) || len(y) == 0 {
		biasSiLURowGo(y, d, b)
		return
	}
	_ = b[len(y)-1]
	var dp *float32
	if d != nil {
		_ = d[len(y)-1]
		dp = unsafe.SliceData(d)
	}
	if !haveAVX512 {
		biasSiLUAVX2(unsafe.SliceData(y), dp, unsafe.SliceData(b), len(y))
		return
	}
	biasSiLUAVX512(unsafe.SliceData(y), dp, unsafe.SliceData(b), len(y))
}
