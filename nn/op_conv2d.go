package nn

import (
	"fmt"

	"sdapipe/nn/conv"
)

// Conv2D records y = c(x) for NHWC images x (N, H, W, c.In); y is (N,
// H/s, W/s, c.Out) for stride s. It panics if x is not of that shape or H
// or W is not a multiple of s.
func (tp *Tape) Conv2D(c *Conv2D, x *Tensor) *Tensor {
	n, h, w := imageShape("Conv2D", x, c.In)
	s := c.Stride
	if h%s != 0 || w%s != 0 {
		panic(fmt.Sprintf("nn: Conv2D: %d×%d images do not fit stride %d", h, w, s))
	}
	nd := tp.op(opConv2D, x.n, nil, n, h/s, w/s, c.Out)
	nd.cv, nd.need = c, true
	f := c.Filter(h, w, false)
	tp.runConv(convFwd, f, n, h, w, nd.t.Data, x.Data, c.B.Data, false)
	return &nd.t
}

func (tp *Tape) conv2DBackward(nd *node) {
	c, x, g := nd.cv, nd.a, nd.t.Grad
	n, h, w := x.t.Shape[0], x.t.Shape[1], x.t.Shape[2]
	pix := n * nd.t.Shape[1] * nd.t.Shape[2]
	tp.part = tp.jobs.col.do(tp.jobs.serial, tp.gradOf(c.B), nil, g, nil, tp.part, pix, c.Out)
	f := c.Filter(h, w, x.need)
	tp.convWeightGrad(f, tp.gradOf(c.W), x.t.Data, g, n, h, w)
	if x.need {
		dx, acc := tp.gradInto(x)
		tp.runConv(convBwdData, f, n, h, w, g, dx, nil, acc)
	}
}

// convWeightGrad adds the weight gradient into dw. A serial tape sums all
// images in one pass; otherwise fixed chunks of images (their number
// depends on n only) are summed into partial gradients on all cores and
// added in chunk order.
func (tp *Tape) convWeightGrad(f *conv.Filter, dw, x, dy []float32, n, h, w int) {
	if tp.jobs.serial || n < 2 {
		sc := tp.cx.getScratch()
		f.BackwardWeights(sc, dw, x, dy, n, h, w)
		tp.cx.putScratch(sc)
		return
	}
	chunks := min(n, maxConvChunks)
	per := (n + chunks - 1) / chunks
	chunks = (n + per - 1) / per
	tp.cx.part = grow(tp.cx.part, chunks*len(dw))
	j := &tp.cx.job
	*j = convJob{ct: &tp.cx, pass: convBwdWeights, f: f, n: n, h: h, w: w, a: tp.cx.part, b: x, c: dy, per: per}
	parallelFor(chunks, 1, j)
	*j = convJob{}
	for c := range chunks {
		vAddTo(dw, tp.cx.part[c*len(dw):(c+1)*len(dw)])
	}
}

// maxConvChunks bounds the image chunks, and so the partial weight
// gradients, of a parallel weight-gradient pass.
const maxConvChunks = 8

// runConv runs a forward (a = y, b = x, bias) or input-gradient (a = dy,
// b = dx) pass over n images, one image per chunk.
func (tp *Tape) runConv(pass convPass, f *conv.Filter, n, h, w int, a, b, bias []float32, acc bool) {
	j := &tp.cx.job
	*j = convJob{ct: &tp.cx, pass: pass, f: f, n: n, h: h, w: w, a: a, b: b, bias: bias, acc: acc}
	runJob(tp.jobs.serial, n, 1, j)
	*j = convJob{}
}

type convPass uint8

const (
	convFwd convPass = iota
	convBwdData
	convBwdWeights
)

// convJob runs one pass of package conv over chunks of images, each chunk
// with a scratch space from the tape's pool.
type convJob struct {
	ct      *convTape
	pass    convPass
	f       *conv.Filter
	n, h, w int
	a, b, c []float32
	bias    []float32
	acc     bool
	per     int // images per weight-gradient chunk
}

func (j *convJob) run(lo, hi int) {
	sc := j.ct.getScratch()
	defer j.ct.putScratch(sc)
	f, s := j.f, j.f.Stride
	in, out := j.h*j.w*f.Cin, (j.h/s)*(j.w/s)*f.Cout
	switch j.pass {
	case convFwd:
		f.Forward(sc, j.a[lo*out:hi*out], j.b[lo*in:hi*in], j.bias, hi-lo, j.h, j.w, j.acc)
	case convBwdData:
		f.BackwardData(sc, j.b[lo*in:hi*in], j.a[lo*out:hi*out], hi-lo, j.h, j.w, j.acc)
	case convBwdWeights:
		nw := f.Cout * f.Cin * 9
		for c := lo; c < hi; c++ {
			i0, i1 := c*j.per, min((c+1)*j.per, j.n)
			part := j.a[c*nw : (c+1)*nw]
			clear(part)
			f.BackwardWeights(sc, part, j.b[i0*in:i1*in], j.c[i0*out:i1*out], i1-i0, j.h, j.w)
		}
	}
}

// imageShape checks that t is (N, H, W, c) and returns N, H, W.
func imageShape(op string, t *Tensor, c int) (n, h, w int) {
	if len(t.Shape) != 4 || t.Shape[3] != c {
		panic(fmt.Sprintf("nn: %s needs (N, H, W, %d) images, got shape %v", op, c, t.Shape))
	}
	return t.Shape[0], t.Shape[1], t.Shape[2]
}
