package nn

// Linear records y = x·Wᵀ + b for x (rows, l.In); y is (rows, l.Out).
func (tp *Tape) Linear(l *Linear, x *Tensor) *Tensor {
	rows := rowsOf("Linear", x, l.In)
	nd := tp.op(opLinear, x.n, nil, rows, l.Out)
	nd.lin, nd.need = l, true
	l.mulWT(tp.gemmWorkers(), nd.t.Data, x.Data, rows, 0, l.In, 0)
	tp.jobs.bias.do(tp.jobs.serial, nd.t.Data, l.B.Data, rows, l.Out)
	return &nd.t
}

func (tp *Tape) linearBackward(nd *node) {
	l, x, g := nd.lin, nd.a, nd.t.Grad
	rows := nd.t.Shape[0]
	tp.part = tp.jobs.col.do(tp.jobs.serial, tp.gradOf(l.B), nil, g, nil, tp.part, rows, l.Out)
	l.addGradW(tp.gemmWorkers(), tp.gradOf(l.W), g, x.t.Data, rows, 0, l.In)
	if x.need {
		dx, acc := tp.gradInto(x)
		l.mulW(tp.gemmWorkers(), dx, g, rows, 0, l.In, betaOf(acc))
	}
}
