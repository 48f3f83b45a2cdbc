package nn

// NHWC records images x (N, C, H, W), channel-major as PyTorch stores
// them, transposed to (N, H, W, C') for the image ops. If extra is not
// nil it holds H·W values (row-major) appended to every image as channel
// C, a constant input such as the U-Net's forcing field, and C' = C + 1;
// otherwise C' = C.
func (tp *Tape) NHWC(x *Tensor, extra []float32) *Tensor {
	if len(x.Shape) != 4 {
		panic("nn: NHWC needs (N, C, H, W) images")
	}
	n, c, h, w := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	ce := c
	if extra != nil {
		if len(extra) != h*w {
			panic("nn: NHWC: the extra channel is not H·W values")
		}
		ce++
	}
	nd := tp.op(opNHWC, x.n, nil, n, h, w, ce)
	j := &tp.jobs.nhwc
	*j = nhwcJob{y: nd.t.Data, x: x.Data, extra: extra, c: c, ce: ce, pix: h * w}
	runJob(tp.jobs.serial, n, 1, j)
	*j = nhwcJob{}
	return &nd.t
}

func (tp *Tape) nhwcBackward(nd *node) {
	x := nd.a
	if !x.need {
		return
	}
	dx, acc := tp.gradInto(x)
	j := &tp.jobs.nhwc
	*j = nhwcJob{y: nd.t.Grad, x: dx, c: x.t.Shape[1], ce: nd.t.Shape[3], pix: nd.t.Shape[1] * nd.t.Shape[2], back: true, acc: acc}
	runJob(tp.jobs.serial, nd.t.Shape[0], 1, j)
	*j = nhwcJob{}
}

// nhwcJob transposes images [lo, hi) from x (C, H·W) to y (H·W, ce), or,
// with back, the first C channels of y back into x (added if acc).
type nhwcJob struct {
	y, x, extra []float32
	c, ce, pix  int
	back, acc   bool
}

func (j *nhwcJob) run(lo, hi int) {
	for n := lo; n < hi; n++ {
		x := j.x[n*j.c*j.pix : (n+1)*j.c*j.pix]
		y := j.y[n*j.ce*j.pix : (n+1)*j.ce*j.pix]
		if j.back {
			ToCHW(x, y, j.c, j.ce, j.pix, j.acc)
			continue
		}
		FromCHW(y, x, j.extra, j.c, j.ce, j.pix)
	}
}

// FromCHW writes the image x (c, pix), channel-major, into y (pix, ce)
// with ce ≥ c channels per pixel: channel k < c of pixel p is x[k·pix+p];
// if extra is not nil, channel c is extra[p]. Other channels are not
// written.
func FromCHW(y, x, extra []float32, c, ce, pix int) {
	y, x = y[:pix*ce], x[:c*pix]
	for k := range c {
		xk := x[k*pix : (k+1)*pix]
		for p, v := range xk {
			y[p*ce+k] = v
		}
	}
	if extra != nil {
		for p, v := range extra[:pix] {
			y[p*ce+c] = v
		}
	}
}

// ToCHW writes channels 0..c−1 of the image y (pix, ce) into x (c, pix),
// channel-major, or adds them to x if acc.
func ToCHW(x, y []float32, c, ce, pix int, acc bool) {
	y, x = y[:pix*ce], x[:c*pix]
	for k := range c {
		xk := x[k*pix : (k+1)*pix]
		if acc {
			for p := range xk {
				xk[p] += y[p*ce+k]
			}
			continue
		}
		for p := range xk {
			xk[p] = y[p*ce+k]
		}
	}
}
