package nn

// SiLU records y = x·sigmoid(x), element-wise, with y shaped like x.
func (tp *Tape) SiLU(x *Tensor) *Tensor {
	nd := tp.op(opSiLU, x.n, nil, x.Shape...)
	// Rows of the last axis: the zero bias is one such row (C values for
	// NHWC images, not H·W·C).
	cols := x.Shape[len(x.Shape)-1]
	rows := x.Len() / max(cols, 1)
	nd.aux = grow(nd.aux, rows*cols)
	copy(nd.t.Data, x.Data)
	tp.jobs.silu.do(tp.jobs.serial, nd.t.Data, nd.aux, tp.zeros(cols), rows, cols)
	return &nd.t
}

func (tp *Tape) siluBackward(nd *node) {
	x, g := nd.a, nd.t.Grad
	n := len(g)
	tp.jobs.col.do(tp.jobs.serial, nil, g, g, nd.aux, nil, n, 1) // g ← g ⊙ silu'(x)
	tp.passGrad(x, g, true)
}

// zeros returns n zeros from the tape's scratch (a zero bias).
func (tp *Tape) zeros(n int) []float32 {
	tp.zero = grow(tp.zero, n)
	clear(tp.zero)
	return tp.zero
}
