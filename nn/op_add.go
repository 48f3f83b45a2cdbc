package nn

// Add records y = a + b for tensors of the same shape.
func (tp *Tape) Add(a, b *Tensor) *Tensor {
	if a.Len() != b.Len() || a.Rows() != b.Rows() {
		panic("nn: Add of tensors of different shapes")
	}
	nd := tp.op(opAdd, a.n, b.n, a.Shape...)
	tp.jobs.ew.do(tp.jobs.serial, ewSum, nd.t.Data, a.Data, b.Data, len(nd.t.Data))
	return &nd.t
}

func (tp *Tape) addBackward(nd *node) {
	g := nd.t.Grad
	tp.passGrad(nd.b, g, false)
	tp.passGrad(nd.a, g, true)
}
