package conv

// A Scratch holds one goroutine's working memory for the passes of this
// package: the padded copy of an image, segment lists, packed gradient
// blocks and the weight-gradient accumulator. Buffers grow to the largest
// call and are reused, so steady-state calls do not allocate. A Scratch
// must not be used by two goroutines at once.
type Scratch struct {
	pad   []float32 // an image with one wrapped pixel on each side of every row
	segs  []seg
	tiles []int
	bpack []float32 // packed output-gradient rows (BackwardWeights)
	dwt   []float32 // weight gradient, (tap, ci) rows × co columns
	wv    []float32 // a band's Winograd-transformed input
	wm    []float32 // and its products (or transformed output gradient)
	wdu   []float32 // the Winograd weight gradient, [ξ][ci][co]
	edge  []float32 // a 4×4-pixel tile across a row's ends
}

// padded copies the hi×wi image x of k channels into sc.pad with rows of
// wi+2 pixels: pixel −1 is pixel wi−1 and pixel wi is pixel 0 (circular
// padding along the row; rows wrap by index). It returns the copy.
func (sc *Scratch) padded(x []float32, hi, wi, k int) []float32 {
	wp := wi + 2
	sc.pad = grow(sc.pad, hi*wp*k)
	row := wi * k
	for r := range hi {
		src := x[r*row : r*row+row]
		dst := sc.pad[r*wp*k : (r+1)*wp*k]
		copy(dst[k:k+row], src)
		copy(dst[:k], src[row-k:])
		copy(dst[k+row:], src[:k])
	}
	return sc.pad
}

func growSegs(s []seg, n int) []seg {
	if cap(s) < n {
		return make([]seg, n)
	}
	return s[:n]
}

// grow returns buf resliced to n values, reallocating only when its
// capacity is short; contents are not preserved when it reallocates.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}
