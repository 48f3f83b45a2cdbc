//go:build !purego

package nn

import "unsafe"

//go:noescape
func sumBiasAVX512(x, pb *float32, n int) float32

//go:noescape
func sumSqDevAVX512(x *float32, n int, mean float32) float32

//go:noescape
func normAVX512(y, x *float32, n int, mean, rs float32)

//go:noescape
func sumDotAVX512(gr, y *float32, n int) (sg, sgy float32)

//go:noescape
func lnBackAVX512(dst, gr, y *float32, n int, mg, c, rs float32, acc bool)

// rowSumBias adds pb (if not nil) to x in place and returns Σ x.
func rowSumBias(x, pb []float32) float32 {
	if !(haveAVX512 || haveAVX2) || len(x) == 0 {
		return rowSumBiasGo(x, pb)
	}
	var p *float32
	if pb != nil {
		_ = pb[len(x)-1]
		p = unsafe.SliceData(pb)
	}
	if !haveAVX512 {
		return sumBiasAVX2(unsafe.SliceData(x), p, len(x))
	}
	return sumBiasAVX512(unsafe.SliceData(x), p, len(x))
}

// rowSumSqDev returns Σ (x − mean)².
func rowSumSqDev(x []float32, mean float32) float32 {
	if !(haveAVX512 || haveAVX2) || len(x) == 0 {
		return rowSumSqDevGo(x, mean)
	}
	if !haveAVX512 {
		return sumSqDevAVX2(unsafe.SliceData(x), len(x), mean)
	}
	return sumSqDevAVX512(unsafe.SliceData(x), len(x), mean)
}

// rowNorm writes (x − mean)·rs into y.
func rowNorm(y, x []float32, mean, rs float32) {
	if !(haveAVX512 || haveAVX2) || len(x) == 0 {
		rowNormGo(y, x, mean, rs)
		return
	}
	_ = y[len(x)-1]
	if !haveAVX512 {
		normAVX2(unsafe.SliceData(y), unsafe.SliceData(x), len(x), mean, rs)
		return
	}
	normAVX512(unsafe.SliceData(y), unsafe.SliceData(x), len(x), mean, rs)
}

// rowSumDot returns Σ g and Σ g·y.
func rowSumDot(g, y []float32) (sg, sgy float32) {
	if !(haveAVX512 || haveAVX2) || len(g) == 0 {
		return rowSumDotGo(g, y)
	}
	_ = y[len(g)-1]
	if !haveAVX512 {
		return sumDotAVX2(unsafe.SliceData(g), unsafe.SliceData(y), len(g))
	}
	return sumDotAVX512(unsafe.SliceData(g), unsafe.SliceData(y), len(g))
}

// rowLNBack writes (acc: adds) rs·(g − mg − y·c) into dx.
func rowLNBack(dx, g, y []float32, mg, c, rs float32, acc bool) {
	if !(haveAVX512 || haveAVX2) || len(g) == 0 {
		rowLNBackGo(dx, g, y, mg, c, rs, acc)
		return
	}
	_, _ = dx[len(g)-1], y[len(g)-1]
	if !haveAVX512 {
		lnBackAVX2(unsafe.SliceData(dx), unsafe.SliceData(g), unsafe.SliceData(y), len(g), mg, c, rs, acc)
		return
	}
	lnBackAVX512(unsafe.SliceData(dx), unsafe.SliceData(g), unsafe.SliceData(y), len(g), mg, c, rs, acc)
}
