//go:build !purego

package fft

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// haveAVX512 selects the AVX-512 butterflies; tests turn it off to check
// that the portable ones give the same bits.
var haveAVX512 = cpu.X86.HasAVX512F

//go:noescape
func bfly4AVX512(y, x *[4]*complex128, inv bool, n int)

//go:noescape
func bfly4twAVX512(y, x *[4]*complex128, w *[3]complex128, inv bool, n int)

//go:noescape
func bfly2AVX512(ya, yb, xa, xb *complex128, w complex128, n int)

// bfly4 is bfly4Go, four values at a time where AVX-512 is available.
func bfly4(ya, yb, yc, yd, xa, xb, xc, xd []complex128, inv bool) {
	n4 := len(xa) &^ 3
	if haveAVX512 && n4 > 0 {
		_, _, _, _ = xb[len(xa)-1], xc[len(xa)-1], xd[len(xa)-1], ya[len(xa)-1]
		_, _, _ = yb[len(xa)-1], yc[len(xa)-1], yd[len(xa)-1]
		y := [4]*complex128{&ya[0], &yb[0], &yc[0], &yd[0]}
		x := [4]*complex128{&xa[0], &xb[0], &xc[0], &xd[0]}
		bfly4AVX512(&y, &x, inv, n4)
		if n4 == len(xa) {
			return
		}
		ya, yb, yc, yd = ya[n4:], yb[n4:], yc[n4:], yd[n4:]
		xa, xb, xc, xd = xa[n4:], xb[n4:], xc[n4:], xd[n4:]
	}
	bfly4Go(ya, yb, yc, yd, xa, xb, xc, xd, inv)
}

// bfly4tw is bfly4twGo, four values at a time where AVX-512 is available.
func bfly4tw(ya, yb, yc, yd, xa, xb, xc, xd []complex128, w1, w2, w3 complex128, inv bool) {
	n4 := len(xa) &^ 3
	if haveAVX512 && n4 > 0 {
		_, _, _, _ = xb[len(xa)-1], xc[len(xa)-1], xd[len(xa)-1], ya[len(xa)-1]
		_, _, _ = yb[len(xa)-1], yc[len(xa)-1], yd[len(xa)-1]
		y := [4]*complex128{&ya[0], &yb[0], &yc[0], &yd[0]}
		x := [4]*complex128{&xa[0], &xb[0], &xc[0], &xd[0]}
		w := [3]complex128{w1, w2, w3}
		bfly4twAVX512(&y, &x, &w, inv, n4)
		if n4 == len(xa) {
			return
		}
		ya, yb, yc, yd = ya[n4:], yb[n4:], yc[n4:], yd[n4:]
		xa, xb, xc, xd = xa[n4:], xb[n4:], xc[n4:], xd[n4:]
	}
	bfly4twGo(ya, yb, yc, yd, xa, xb, xc, xd, w1, w2, w3, inv)
}

// bfly2 is bfly2Go, four values at a time where AVX-512 is available.
func bfly2(ya, yb, xa, xb []complex128, w complex128) {
	n4 := len(xa) &^ 3
	if haveAVX512 && n4 > 0 {
		_, _, _ = xb[len(xa)-1], ya[len(xa)-1], yb[len(xa)-1]
		bfly2AVX512(unsafe.SliceData(ya), unsafe.SliceData(yb), unsafe.SliceData(xa), unsafe.SliceData(xb), w, n4)
		if n4 == len(xa) {
			return
		}
		ya, yb, xa, xb = ya[n4:], yb[n4:], xa[n4:], xb[n4:]
	}
	bfly2Go(ya, yb, xa, xb, w)
}
