package nn

// LinearSiLU records y = silu(x·Wᵀ + b) for x (rows, l.In), fusing the bias
// and the activation into one pass over the product; y is (rows, l.Out).
// silu(z) = z·sigmoid(z).
func (tp *Tape) LinearSiLU(l *Linear, x *Tensor) *Tensor {
	rows := rowsOf("LinearSiLU", x, l.In)
	nd := tp.op(opLinearSiLU, x.n, nil, rows, l.Out)
	nd.lin, nd.need = l, true
	nd.aux = grow(nd.aux, rows*l.Out) // silu'(z)
	l.mulWT(tp.gemmWorkers(), nd.t.Data, x.Data, rows, 0, l.In, 0)
	tp.jobs.silu.do(tp.jobs.serial, nd.t.Data, nd.aux, l.B.Data, rows, l.Out)
	return &nd.t
}

func (tp *Tape) linearSiLUBackward(nd *node) {
	l, x, g := nd.lin, nd.a, nd.t.Grad
	rows := nd.t.Shape[0]
	// dz = g ⊙ silu'(z), in place: the output is dead after this.
	tp.part = tp.jobs.col.do(tp.jobs.serial, tp.gradOf(l.B), g, g, nd.aux, tp.part, rows, l.Out)
	l.addGradW(tp.gemmWorkers(), tp.gradOf(l.W), g, x.t.Data, rows, 0, l.In)
	if x.need {
		dx, acc := tp.gradInto(x)
		l.mulW(tp.gemmWorkers(), dx, g, rows, 0, l.In, betaOf(acc))
	}
}
