package nn

// LinearCat records y = [x, e]·Wᵀ + b, a Linear layer applied to the
// concatenation of x (rows, cx) and e (rows, ce) along features, with
// cx + ce = l.In, without forming the concatenation: the product is split
// over the column blocks of W.
func (tp *Tape) LinearCat(l *Linear, x, e *Tensor) *Tensor {
	rows := x.Rows()
	cx := x.Cols()
	if rowsOf("LinearCat", e, l.In-cx) != rows {
		panic("nn: LinearCat: x and e have different row counts")
	}
	nd := tp.op(opLinearCat, x.n, e.n, rows, l.Out)
	nd.lin, nd.need, nd.ival = l, true, cx
	l.mulWT(tp.gemmWorkers(), nd.t.Data, x.Data, rows, 0, cx, 0)
	l.mulWT(tp.gemmWorkers(), nd.t.Data, e.Data, rows, cx, l.In-cx, 1)
	tp.jobs.bias.do(tp.jobs.serial, nd.t.Data, l.B.Data, rows, l.Out)
	return &nd.t
}

func (tp *Tape) linearCatBackward(nd *node) {
	l, g, cx := nd.lin, nd.t.Grad, nd.ival
	rows := nd.t.Shape[0]
	tp.part = tp.jobs.col.do(tp.jobs.serial, tp.gradOf(l.B), nil, g, nil, tp.part, rows, l.Out)
	for i, in := range [2]*node{nd.a, nd.b} {
		off, k := 0, cx
		if i == 1 {
			off, k = cx, l.In-cx
		}
		l.addGradW(tp.gemmWorkers(), tp.gradOf(l.W), g, in.t.Data, rows, off, k)
		if in.need {
			d, acc := tp.gradInto(in)
			l.mulW(tp.gemmWorkers(), d, g, rows, off, k, betaOf(acc))
		}
	}
}
