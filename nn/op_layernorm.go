package nn

// LayerNorm records the non-affine layer norm over each row of x (rows,
// cols), cols ≥ 2: y = (x − mean)/√(var + 1e-5) with the unbiased variance
// (docs/method.md §2.4). It panics if cols < 2.
func (tp *Tape) LayerNorm(x *Tensor) *Tensor {
	rows, cols := x.Rows(), x.Cols()
	if cols < 2 {
		panic("nn: LayerNorm needs at least 2 values per row")
	}
	nd := tp.op(opLayerNorm, x.n, nil, x.Shape...)
	nd.aux = grow(nd.aux, rows) // 1/√(var + eps) per row
	tp.jobs.ln.do(tp.jobs.serial, nd.t.Data, x.Data, nil, nd.aux, rows, cols)
	return &nd.t
}

func (tp *Tape) layerNormBackward(nd *node) {
	x := nd.a
	if !x.need {
		return
	}
	dx, acc := tp.gradInto(x)
	tp.jobs.lnb.do(tp.jobs.serial, dx, nd.t.Grad, nd.t.Data, nd.aux, acc, nd.t.Rows(), nd.t.Cols())
}
