package nn

// Upsample2x records nearest-neighbour ×2 upsampling of NHWC images x (N,
// H, W, C): y (N, 2H, 2W, C) with y[n, 2i+a, 2j+b] = x[n, i, j] for a, b
// ∈ {0, 1}, PyTorch's F.interpolate(scale_factor=2, mode="nearest").
func (tp *Tape) Upsample2x(x *Tensor) *Tensor {
	if len(x.Shape) != 4 {
		panic("nn: Upsample2x needs (N, H, W, C) images")
	}
	n, h, w, c := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	nd := tp.op(opUpsample2x, x.n, nil, n, 2*h, 2*w, c)
	j := &tp.jobs.up
	*j = upJob{y: nd.t.Data, x: x.Data, w: w, c: c}
	runJob(tp.jobs.serial, n*h, rowGrain(4*w*c), j)
	*j = upJob{}
	return &nd.t
}

func (tp *Tape) upsample2xBackward(nd *node) {
	x := nd.a
	if !x.need {
		return
	}
	dx, acc := tp.gradInto(x)
	w, c := x.t.Shape[2], x.t.Shape[3]
	j := &tp.jobs.up
	*j = upJob{y: nd.t.Grad, x: dx, w: w, c: c, back: true, acc: acc}
	runJob(tp.jobs.serial, x.t.Shape[0]*x.t.Shape[1], rowGrain(4*w*c), j)
	*j = upJob{}
}

// upJob upsamples input rows [lo, hi) (image rows of all images in
// order), or, with back, sums each 2×2 block of the output gradient y
// into x (added to x if acc).
type upJob struct {
	y, x      []float32
	w, c      int
	back, acc bool
}

func (j *upJob) run(lo, hi int) {
	w, c := j.w, j.c
	row := w * c
	for r := lo; r < hi; r++ {
		xr := j.x[r*row : (r+1)*row]
		y0 := j.y[2*r*2*row : (2*r+1)*2*row]
		y1 := j.y[(2*r+1)*2*row : (2*r+2)*2*row]
		if j.back {
			upsampleBackRow(xr, y0, y1, c, j.acc)
			continue
		}
		for i := range w {
			px := xr[i*c : (i+1)*c]
			copy(y0[2*i*c:(2*i+1)*c], px)
			copy(y0[(2*i+1)*c:(2*i+2)*c], px)
		}
		copy(y1, y0)
	}
}

// upsampleBackRow writes (or adds) into each pixel of the input row x the
// sum of its four output pixels in rows y0, y1: (y0[2i] + y0[2i+1]) +
// (y1[2i] + y1[2i+1]).
func upsampleBackRow(x, y0, y1 []float32, c int, acc bool) {
	for i := range len(x) / c {
		d := x[i*c : (i+1)*c]
		a, b := y0[2*i*c:(2*i+2)*c], y1[2*i*c:(2*i+2)*c]
		if acc {
			vAddTo(d, a[:c])
		} else {
			copy(d, a[:c])
		}
		vAddTo(d, a[c:])
		vAddTo(d, b[:c])
		vAddTo(d, b[c:])
	}
}
