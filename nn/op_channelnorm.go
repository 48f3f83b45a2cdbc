package nn

// ChannelNorm records the non-affine layer norm over the channels of
// every pixel of NHWC images x (N, H, W, C), C ≥ 2 (docs/method.md §2.4):
//
//	y[n, i, j] = (x[n, i, j] − mean)/√(var + 1e-5)
//
// with the mean and unbiased variance over the C channels of that pixel,
// zuko's LayerNorm over axis −3 of an NCHW tensor. y is shaped like x.
func (tp *Tape) ChannelNorm(x *Tensor) *Tensor {
	if len(x.Shape) != 4 || x.Shape[3] < 2 {
		panic("nn: ChannelNorm needs (N, H, W, C) images with C ≥ 2")
	}
	c := x.Shape[3]
	pix := x.Len() / c
	nd := tp.op(opChannelNorm, x.n, nil, x.Shape...)
	nd.aux = grow(nd.aux, pix) // 1/√(var + eps) per pixel
	tp.jobs.ln.do(tp.jobs.serial, nd.t.Data, x.Data, nil, nd.aux, pix, c)
	return &nd.t
}

func (tp *Tape) channelNormBackward(nd *node) {
	x := nd.a
	if !x.need {
		return
	}
	c := nd.t.Shape[3]
	dx, acc := tp.gradInto(x)
	tp.jobs.lnb.do(tp.jobs.serial, dx, nd.t.Grad, nd.t.Data, nd.aux, acc, nd.t.Len()/c, c)
}
