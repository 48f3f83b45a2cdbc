package nn

// AddPixels records y = h + p broadcast over pixels, for NHWC images h
// (N, H, W, C) and one vector p (N, C) per image: y[n, i, j] = h[n, i, j]
// + p[n]. It is the modulation h + P(e) of the U-Net's residual blocks
// (docs/method.md §2.7), with p = P(e) from Linear.
func (tp *Tape) AddPixels(h, p *Tensor) *Tensor {
	if len(h.Shape) != 4 || p.Len() != h.Shape[0]*h.Shape[3] {
		panic("nn: AddPixels needs (N, H, W, C) images and (N, C) vectors")
	}
	nd := tp.op(opAddPixels, h.n, p.n, h.Shape...)
	j := &tp.jobs.pix
	*j = pixJob{y: nd.t.Data, h: h.Data, p: p.Data, pix: h.Shape[1] * h.Shape[2], c: h.Shape[3]}
	runJob(tp.jobs.serial, h.Shape[0], 1, j)
	*j = pixJob{}
	return &nd.t
}

func (tp *Tape) addPixelsBackward(nd *node) {
	h, p, g := nd.a, nd.b, nd.t.Grad
	if p.need {
		dp, acc := tp.gradInto(p)
		pix, c := nd.t.Shape[1]*nd.t.Shape[2], nd.t.Shape[3]
		tp.jobs.pixPart = grow(tp.jobs.pixPart, nd.t.Shape[0]*min(pix, colBand)*c)
		j := &tp.jobs.pix
		*j = pixJob{y: g, p: dp, pix: pix, c: c, back: true, acc: acc, part: tp.jobs.pixPart}
		runJob(tp.jobs.serial, nd.t.Shape[0], 1, j)
		*j = pixJob{}
	}
	tp.passGrad(h, g, true)
}

// pixJob adds p[n] to every pixel of images [lo, hi), or, with back, sums
// the pixels of each image's gradient y into p[n] (added if acc), pixel
// by pixel in order.
type pixJob struct {
	y, h, p   []float32
	pix, c    int
	back, acc bool
	part      []float32 // colSumInto's band partials, band·c per image
}

func (j *pixJob) run(lo, hi int) {
	sz := j.pix * j.c
	for n := lo; n < hi; n++ {
		pn := j.p[n*j.c : (n+1)*j.c]
		if !j.back {
			addBiasRows(j.y[n*sz:(n+1)*sz], j.h[n*sz:(n+1)*sz], pn, j.c, 0, j.pix)
			continue
		}
		if !j.acc {
			clear(pn)
		}
		band := min(j.pix, colBand) * j.c
		colSumInto(pn, j.y[n*sz:(n+1)*sz], j.pix, j.c, j.part[n*band:(n+1)*band])
	}
}

// colSumInto adds the column sums of g (rows, cols) into dst. Rows are
// first added a band of colBand at a time, band after band in order, as
// vectors of colBand·cols values (long vectors: one call per band rather
// than per row), then the colBand partial rows in order.
func colSumInto(dst, g []float32, rows, cols int, acc []float32) {
	band := max(1, min(rows, colBand))
	acc = acc[:band*cols]
	copy(acc, g[:band*cols])
	r := band
	for ; r+band <= rows; r += band {
		vAddTo(acc, g[r*cols:(r+band)*cols])
	}
	for ; r < rows; r++ {
		vAddTo(acc[:cols], g[r*cols:(r+1)*cols])
	}
	for b := range band {
		vAddTo(dst, acc[b*cols:(b+1)*cols])
	}
}

// colBand is the number of rows colSumInto adds as one vector.
const colBand = 64
