//go:build !purego

package kolmogorov

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// haveAVX512 selects the AVX-512 flux kernel; tests turn it off to check
// that the portable one gives the same bits.
var haveAVX512 = cpu.X86.HasAVX512F

//go:noescape
func fluxRowAVX512(f, cm, c0, c1, c2, a *float64, lam float64, n int)

// fluxRow is fluxRowGo, eight faces at a time where AVX-512 is available.
func fluxRow(f, cm, c0, c1, c2, a []float64, lam float64) {
	n := len(f)
	if !haveAVX512 || n%8 != 0 || n == 0 {
		fluxRowGo(f, cm, c0, c1, c2, a, lam)
		return
	}
	_, _, _, _, _ = cm[n-1], c0[n-1], c1[n-1], c2[n-1], a[n-1]
	fluxRowAVX512(unsafe.SliceData(f), unsafe.SliceData(cm), unsafe.SliceData(c0),
		unsafe.SliceData(c1), unsafe.SliceData(c2), unsafe.SliceData(a), lam, n)
}
