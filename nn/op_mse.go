package nn

// MSE records the scalar mean((a − b)²) over all values; a and b have the
// same shape and the result has shape (1). The sum runs in float64 over
// fixed chunks added in order.
func (tp *Tape) MSE(a, b *Tensor) *Tensor {
	n := a.Len()
	if b.Len() != n || a.Rows() != b.Rows() {
		panic("nn: MSE of tensors of different shapes")
	}
	nd := tp.op(opMSE, a.n, b.n, 1)
	chunks := (n + ewGrain - 1) / ewGrain
	tp.part64 = growF64(tp.part64, chunks)
	j := &tp.jobs.mse
	*j = mseJob{a: a.Data, b: b.Data, part: tp.part64}
	runJob(tp.jobs.serial, n, ewGrain, j)
	var s float64
	for _, p := range tp.part64 {
		s += p
	}
	nd.t.Data[0] = float32(s / float64(n))
	return &nd.t
}

func (tp *Tape) mseBackward(nd *node) {
	a, b := nd.a, nd.b
	n := a.t.Len()
	c := 2 * nd.t.Grad[0] / float32(n)
	for i, in := range [2]*node{a, b} {
		if !in.need {
			continue
		}
		d, acc := tp.gradInto(in)
		j := &tp.jobs.mse
		*j = mseJob{a: a.t.Data, b: b.t.Data, d: d, c: c, acc: acc}
		if i == 1 {
			j.c = -c
		}
		runJob(tp.jobs.serial, n, ewGrain, j)
	}
}

// mseJob sums (a − b)² per chunk into part, or, when d is set, writes (or
// adds) c·(a − b) into d.
type mseJob struct {
	a, b, d []float32
	part    []float64
	c       float32
	acc     bool
}

func (j *mseJob) run(lo, hi int) {
	a, b := j.a[lo:hi], j.b[lo:hi]
	if j.d == nil {
		var s float64
		for i, v := range a {
			e := float64(v - b[i])
			s += e * e
		}
		j.part[lo/ewGrain] = s
		return
	}
	d := j.d[lo:hi]
	for i, v := range a {
		if j.acc {
			d[i] += j.c * (v - b[i])
		} else {
			d[i] = j.c * (v - b[i])
		}
	}
}

func growF64(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}
