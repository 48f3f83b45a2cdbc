//go:build !purego

package nn

import "unsafe"

//go:noescape
func addToAVX512(dst, a *float32, n int)

//go:noescape
func add3AVX512(dst, a, b *float32, n int)

//go:noescape
func mulAccAVX512(dst, a, b, acc *float32, n int)

// vAddTo sets dst += a (len(a) values).
func vAddTo(dst, a []float32) {
	if !(haveAVX512 || haveAVX2) || len(a) == 0 {
		vAddToGo(dst, a)
		return
	}
	_ = dst[len(a)-1]
	if !haveAVX512 {
		addToAVX2(unsafe.SliceData(dst), unsafe.SliceData(a), len(a))
		return
	}
	addToAVX512(unsafe.SliceData(dst), unsafe.SliceData(a), len(a))
}

// vAdd3 sets dst = a + b (len(a) values).
func vAdd3(dst, a, b []float32) {
	if !(haveAVX512 || haveAVX2) || len(a) == 0 {
		vAdd3Go(dst, a, b)
		return
	}
	_, _ = dst[len(a)-1], b[len(a)-1]
	if !haveAVX512 {
		add3AVX2(unsafe.SliceData(dst), unsafe.SliceData(a), unsafe.SliceData(b), len(a))
		return
	}
	add3AVX512(unsafe.SliceData(dst), unsafe.SliceData(a), unsafe.SliceData(b), len(a))
}

// vMulAcc sets dst = a ⊙ b and, if acc is not nil, acc += dst.
func vMulAcc(dst, a, b, acc []float32) {
	if !(haveAVX512 || haveAVX2) || len(a) == 0 {
		vMulAccGo(dst, a, b, acc)
		return
	}
	_, _ = dst[len(a)-1], b[len(a)-1]
	var p *float32
	if acc != nil {
		_ = acc[len(a)-1]
		p = unsafe.SliceData(acc)
	}
	if !haveAVX512 {
		mulAccAVX2(unsafe.SliceData(dst), unsafe.SliceData(a), unsafe.SliceData(b), p, len(a))
		return
	}
	mulAccAVX512(unsafe.SliceData(dst), unsafe.SliceData(a), unsafe.SliceData(b), p, len(a))
}
