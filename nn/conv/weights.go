package conv

// blockPixels is about how many output pixels BackwardWeights sums per
// block: their rows of the output gradient, packed (256 KiB at 256
// channels), stay in L2 while every tap and input-channel tile passes
// over them.
const blockPixels = 256

// BackwardWeights adds the gradient of Forward with respect to the
// weights, for n images x (n, h, w, Cin) and the output gradient dy (n,
// h/s, w/s, Cout), into dw (Cout, Cin, 3, 3), PyTorch's layout. The bias
// gradient, the sum of dy over pixels, is left to the caller.
//
// The gradient is a product with the pixels as the summed dimension:
// dWᵀ(t, ci; co) = Σ_p x(s·p + d_t)[ci] · dy(p)[co]. Pixels are summed in
// blocks of about blockPixels (whole rows of one image) in order, each
// block with one fused multiply-add per term and then added to the
// running sum, so the result depends on n, h and w only.
func (f *Filter) BackwardWeights(sc *Scratch, dw, x, dy []float32, n, h, w int) {
	s, cin, cout := f.Stride, f.Cin, f.Cout
	ho, wo := h/s, w/s
	f.check2("BackwardWeights", n, h, w, [2]int{len(x), n * h * w * cin}, [2]int{len(dy), n * ho * wo * cout}, [2]int{len(dw), cout * cin * 9})
	if n == 0 {
		return
	}
	if f.useWino(h, w) {
		sc.wdu = grow(sc.wdu, 16*cin*cout)
		for i := range n {
			f.winoWeights(sc, x[i*h*w*cin:(i+1)*h*w*cin], dy[i*ho*wo*cout:(i+1)*ho*wo*cout], h, w, i == 0)
		}
		addWinoWeights(dw, sc.wdu, cin, cout)
		return
	}
	pans := f.fwdP
	mr := pans[0].fam.mr
	for _, p := range pans {
		mr = min(mr, p.fam.mr)
	}
	sc.tiles = tiles(sc.tiles, cin, mr)
	rows := max(1, min(ho, blockPixels/wo))
	sc.segs = growSegs(sc.segs, rows)
	sc.dwt = grow(sc.dwt, 9*cin*cout)
	wp := w + 2
	mode := 0
	for i := range n {
		pad := sc.padded(x[i*h*w*cin:(i+1)*h*w*cin], h, w, cin)
		img := dy[i*ho*wo*cout : (i+1)*ho*wo*cout]
		for r0 := 0; r0 < ho; r0 += rows {
			r1 := min(ho, r0+rows)
			np := (r1 - r0) * wo
			sc.bpack = grow(sc.bpack, f.ar.packedLen(np, cout))
			packRows(sc.bpack, pans, img[r0*wo*cout:r1*wo*cout], np, cout)
			segs := sc.segs[:r1-r0]
			for t := range 9 {
				ty, tx := t/3-1, t%3-1
				c0 := 0
				for _, mt := range sc.tiles {
					for q := range pans {
						p := &pans[q]
						for r := r0; r < r1; r++ {
							iy := mod(s*r+ty, h)
							segs[r-r0] = seg{aoff: 4 * ((iy*wp+tx+1)*cin + c0), boff: 4 * (r - r0) * wo * p.stride, n: wo}
						}
						p.call(mt, segs, pad, 0, 1, s*cin, sc.bpack, p.col0*np, p.stride, sc.dwt, (t*cin+c0)*cout+p.col0, cout, nil, mode)
					}
					c0 += mt
				}
			}
			mode = 1
		}
	}
	addTransposed(dw, sc.dwt, cin, cout)
}

// addTransposed adds dwt, rows (t, ci) × columns co, into dw (co, ci, t),
// in blocks of 16 × 16 channels whose source and destination (9 KiB each)
// stay in L1.
func addTransposed(dw, dwt []float32, cin, cout int) {
	const blk = 16
	for ci0 := 0; ci0 < cin; ci0 += blk {
		ci1 := min(ci0+blk, cin)
		for co0 := 0; co0 < cout; co0 += blk {
			for co := co0; co < min(co0+blk, cout); co++ {
				d := dw[(co*cin+ci0)*9 : (co*cin+ci1)*9]
				for ci := ci0; ci < ci1; ci++ {
					dd := d[(ci-ci0)*9 : (ci-ci0)*9+9]
					for t := range dd {
						dd[t] += dwt[(t*cin+ci)*cout+co]
					}
				}
			}
		}
	}
}

// packRows copies the np×n matrix src (row-major) into the panels pan:
// row k of panel p goes to dst[p.col0·np + k·p.stride:], zero-filling the
// columns past p.cols.
func packRows(dst []float32, pan []panel, src []float32, np, n int) {
	for _, p := range pan {
		d := dst[p.col0*np:]
		for k := range np {
			row := d[k*p.stride : (k+1)*p.stride]
			copy(row, src[k*n+p.col0:k*n+p.col0+p.cols])
			clear(row[p.cols:])
		}
	}
}
