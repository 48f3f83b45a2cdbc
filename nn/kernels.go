package nn

// Serial row kernels shared by the tape ops and the inference paths. Each
// works on rows [lo, hi) of row-major (rows, cols) arrays; the job structs
// below run them through parallelFor.

// addBiasRows adds b (cols) to every row of y, or, if a is not nil, writes
// a + b into each row of y.
func addBiasRows(y, a, b []float32, cols, lo, hi int) {
	b = b[:cols]
	for r := lo; r < hi; r++ {
		if a != nil {
			vAdd3(y[r*cols:r*cols+cols], a[r*cols:r*cols+cols], b)
		} else {
			vAddTo(y[r*cols:r*cols+cols], b)
		}
	}
}

// biasSiLURows replaces every row z of y by silu(z + b) and, if d is not
// nil, writes silu'(z + b) into d.
func biasSiLURows(y, d, b []float32, cols, lo, hi int) {
	for r := lo; r < hi; r++ {
		var drow []float32
		if d != nil {
			drow = d[r*cols : r*cols+cols]
		}
		biasSiLURow(y[r*cols:r*cols+cols], drow, b[:cols])
	}
}

// biasSiLURowGo is the portable biasSiLURow.
func biasSiLURowGo(y, d, b []float32) {
	if d == nil {
		for j, v := range y {
			y[j], _ = silu(v + b[j])
		}
		return
	}
	d = d[:len(y)]
	for j, v := range y {
		y[j], d[j] = silu(v + b[j])
	}
}

// mulRows writes g ⊙ d into dst (all rows·cols values) and, if part is not
// nil, the column sums of each chunk of grain rows into part, one row of
// cols per chunk: part[c·cols:(c+1)·cols] = Σ_{rows of chunk c} dst, added
// row by row.
func mulRows(dst, g, d, part []float32, cols, grain, lo, hi int) {
	if part == nil {
		vMulAcc(dst[lo*cols:hi*cols], g[lo*cols:hi*cols], d[lo*cols:hi*cols], nil)
		return
	}
	acc := part[(lo/grain)*cols : (lo/grain)*cols+cols]
	clear(acc)
	for r := lo; r < hi; r++ {
		o := r * cols
		vMulAcc(dst[o:o+cols], g[o:o+cols], d[o:o+cols], acc)
	}
}

// colSumRows writes the column sums of rows [lo, hi) of g into the chunk's
// partial row, as mulRows does.
func colSumRows(g, part []float32, cols, grain, lo, hi int) {
	acc := part[(lo/grain)*cols : (lo/grain)*cols+cols]
	clear(acc)
	for r := lo; r < hi; r++ {
		vAddTo(acc, g[r*cols:r*cols+cols])
	}
}

// addPartials adds the chunk partial sums part (chunks, cols) into dst
// (cols), chunk 0 first, so the order of additions is fixed.
func addPartials(dst, part []float32, chunks, cols int) {
	for c := range chunks {
		vAddTo(dst[:cols], part[c*cols:c*cols+cols])
	}
}

// biasJob adds a bias to each row (y += b), or, with a, writes y = a + b.
type biasJob struct {
	y, a, b []float32
	cols    int
}

func (j *biasJob) run(lo, hi int) { addBiasRows(j.y, j.a, j.b, j.cols, lo, hi) }

func (j *biasJob) do(serial bool, y, b []float32, rows, cols int) {
	j.doFrom(serial, y, nil, b, rows, cols)
}

func (j *biasJob) doFrom(serial bool, y, a, b []float32, rows, cols int) {
	*j = biasJob{y, a, b, cols}
	runJob(serial, rows, rowGrain(cols), j)
}

// siluJob applies bias + SiLU in place, optionally saving the derivative.
type siluJob struct {
	y, d, b []float32
	cols    int
}

func (j *siluJob) run(lo, hi int) { biasSiLURows(j.y, j.d, j.b, j.cols, lo, hi) }

func (j *siluJob) do(serial bool, y, d, b []float32, rows, cols int) {
	*j = siluJob{y, d, b, cols}
	runJob(serial, rows, rowGrain(cols), j)
}

// colSumJob adds the column sums of g (rows, cols) into dst (cols), or,
// when d is set, first writes g ⊙ d into out and sums that. part is
// scratch of (chunks, cols).
type colSumJob struct {
	out, g, d, part []float32
	cols, grain     int
}

func (j *colSumJob) run(lo, hi int) {
	if j.d != nil {
		mulRows(j.out, j.g, j.d, j.part, j.cols, j.grain, lo, hi)
		return
	}
	colSumRows(j.g, j.part, j.cols, j.grain, lo, hi)
}

// do runs the job and adds the column sums into dst if dst is not nil. It
// returns part, grown as needed, for the caller to keep.
func (j *colSumJob) do(serial bool, dst, out, g, d, part []float32, rows, cols int) []float32 {
	grain := rowGrain(cols)
	chunks := (rows + grain - 1) / grain
	if dst != nil {
		part = grow(part, chunks*cols)
	} else {
		part = part[:0]
	}
	p := part
	if dst == nil {
		p = nil
	}
	*j = colSumJob{out, g, d, p, cols, grain}
	if d == nil && dst == nil {
		return part
	}
	runJob(serial, rows, grain, j)
	if dst != nil {
		addPartials(dst, part, chunks, cols)
	}
	return part
}
