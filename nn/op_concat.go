package nn

// Concat records y = [a, b] along features for a (rows, ca) and b (rows,
// cb); y is (rows, ca + cb).
func (tp *Tape) Concat(a, b *Tensor) *Tensor {
	rows, ca, cb := a.Rows(), a.Cols(), b.Cols()
	if b.Rows() != rows {
		panic("nn: Concat of tensors with different row counts")
	}
	nd := tp.op(opConcat, a.n, b.n, rows, ca+cb)
	y, c := nd.t.Data, ca+cb
	for r := range rows {
		copy(y[r*c:r*c+ca], a.Data[r*ca:r*ca+ca])
		copy(y[r*c+ca:r*c+c], b.Data[r*cb:r*cb+cb])
	}
	return &nd.t
}

func (tp *Tape) concatBackward(nd *node) {
	g := nd.t.Grad
	rows, c := nd.t.Shape[0], nd.t.Shape[1]
	off := 0
	for _, in := range [2]*node{nd.a, nd.b} {
		k := in.t.Cols()
		if in.need {
			d, acc := tp.gradInto(in)
			for r := range rows {
				src, dst := g[r*c+off:r*c+off+k], d[r*k:r*k+k]
				if acc {
					for j, v := range src {
						dst[j] += v
					}
				} else {
					copy(dst, src)
				}
			}
		}
		off += k
	}
}
