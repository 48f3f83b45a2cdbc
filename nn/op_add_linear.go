package nn

// AddLinear records the residual update y = h + a·Wᵀ + b for h (rows,
// l.Out) and a (rows, l.In). The bias is added while h is copied, and the
// product accumulates onto it, so the sum costs no pass of its own.
func (tp *Tape) AddLinear(h *Tensor, l *Linear, a *Tensor) *Tensor {
	rows := rowsOf("AddLinear", a, l.In)
	if rowsOf("AddLinear", h, l.Out) != rows {
		panic("nn: AddLinear: h and a have different row counts")
	}
	nd := tp.op(opAddLinear, h.n, a.n, rows, l.Out)
	nd.lin, nd.need = l, true
	tp.jobs.bias.doFrom(tp.jobs.serial, nd.t.Data, h.Data, l.B.Data, rows, l.Out)
	l.mulWT(tp.gemmWorkers(), nd.t.Data, a.Data, rows, 0, l.In, 1)
	return &nd.t
}

func (tp *Tape) addLinearBackward(nd *node) {
	l, h, a, g := nd.lin, nd.a, nd.b, nd.t.Grad
	rows := nd.t.Shape[0]
	tp.part = tp.jobs.col.do(tp.jobs.serial, tp.gradOf(l.B), nil, g, nil, tp.part, rows, l.Out)
	l.addGradW(tp.gemmWorkers(), tp.gradOf(l.W), g, a.t.Data, rows, 0, l.In)
	if a.need {
		da, acc := tp.gradInto(a)
		l.mulW(tp.gemmWorkers(), da, g, rows, 0, l.In, betaOf(acc))
	}
	tp.passGrad(h, g, true) // last: g is not read after this
}
