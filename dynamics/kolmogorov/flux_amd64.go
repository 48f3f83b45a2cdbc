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

//go:noescape
func updateRowAVX512(di, cm, cpl, cp, fx, fp, fy, force *float64, lam, dt, nu2, alpha float64, n int)

// updateRow is updateRowGo, eight cells at a time where AVX-512 is
// available.
func updateRow(di, cm, cpl, cp, fx, fp, fy, force []float64, lam, dt, nu2, alpha float64) {
	n := len(di)
	if !haveAVX512 || n%8 != 0 || n == 0 {
		updateRowGo(di, cm, cpl, cp, fx, fp, fy, force, lam, dt, nu2, alpha)
		return
	}
	_, _, _, _, _, _ = cm[n-1], cpl[n-1], cp[n+2], fx[n-1], fp[n-1], force[n-1]
	_ = fy[n]
	updateRowAVX512(&di[0], &cm[0], &cpl[0], &cp[0], &fx[0], &fp[0], &fy[0], &force[0], lam, dt, nu2, alpha, n)
}
