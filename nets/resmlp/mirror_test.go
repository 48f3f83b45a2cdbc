package resmlp

import "sdapipe/nn"

// net64 is a float64 mirror of Net.Forward for per-row times, from the
// mirrors of the ops.
func net64(n *Net, x, ts []float64) []float64 {
	c := n.Cfg
	rows := len(ts)
	lin := func(l *nn.Linear, v []float64) []float64 {
		return linear64(v, to64(l.W.Data), to64(l.B.Data), rows, l.In, l.Out)
	}
	block := func(b Block, h []float64, d int) []float64 {
		a := mapSlice(lin(b.L1, ln64(h, rows, d)), silu64)
		return add64(h, lin(b.L2, a))
	}
	e := lin(n.Embed2, mapSlice(lin(n.Embed1, timeFeat64(ts, c.Freqs)), silu64))
	h := lin(n.Input, concat64(x, e, rows, c.Features, c.Embed))
	for _, b := range n.Blocks {
		h = block(b, h, c.Width)
	}
	return block(n.OutBlock, lin(n.Output, h), c.Features)
}
