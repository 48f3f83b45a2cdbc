package nn

// Kernels the U-Net's inference path (nets/unet) needs beside those of
// kernels_export.go: a layer norm of a shifted copy and the upsampling
// passes of the image ops (the image transposes FromCHW and ToCHW are in
// op_nhwc.go).

// LayerNormAdd writes LN(x + pb) into y for each row of x, with pb added
// to every row, without modifying x (the modulated residual block's
// LN(h + P(e)) beside its skip h, docs/method.md §2.7); rstd as for
// LayerNorm. y must not overlap x.
func (k *RowKernels) LayerNormAdd(y, x, pb, rstd []float32, rows, cols int) {
	k.jobs.lnAdd.do(k.Serial, y, x, pb, rstd, rows, cols)
}

// Upsample2x writes nearest ×2 upsampling of rows image rows x (each w
// pixels of c channels, NHWC, the rows of all images in order) into y
// (2·rows rows of 2·w pixels), on the calling goroutine.
func Upsample2x(y, x []float32, rows, w, c int) {
	j := upJob{y: y, x: x, w: w, c: c}
	j.run(0, rows)
}

// Upsample2xBackward writes into dx (rows image rows of w pixels of c
// channels), or adds if acc, the sum over each 2×2 block of dy, the
// gradient of Upsample2x's output, on the calling goroutine.
func Upsample2xBackward(dx, dy []float32, rows, w, c int, acc bool) {
	j := upJob{y: dy, x: dx, w: w, c: c, back: true, acc: acc}
	j.run(0, rows)
}
