package unet

import (
	"fmt"

	"sdapipe/nn"
)

// Forward records ε_φ(x, t) on tp for rows windows x (rows, Channels, H,
// W), channel-major, and times t (rows); the result is (rows, H, W,
// Channels), channel-last. The structure is docs/method.md §2.7:
//
//	e = L(H→E)(silu(L(32→H)(feats(t))))
//	level i: h = head_i(h) (stride 2 below the first), Blocks blocks; keep h
//	level L−1 … 0: Blocks blocks, then (i > 0) h = tail(up(LN(h))) + skip_{i−1}
//	ε = final(h)
func (n *Net) Forward(tp *nn.Tape, x, t *nn.Tensor) *nn.Tensor {
	e := tp.Linear(n.embed2, tp.LinearSiLU(n.embed1, tp.TimeFeatures(t, freqs)))
	h := tp.NHWC(x, n.forcing)
	var skips []*nn.Tensor
	for i, head := range n.heads {
		h = tp.Conv2D(head, h)
		for _, b := range n.down[i] {
			h = b.forward(tp, h, e)
		}
		skips = append(skips, h)
	}
	skips = skips[:len(skips)-1] // the deepest level's is not used
	for j, bs := range n.up {
		for _, b := range bs {
			h = b.forward(tp, h, e)
		}
		if j < len(n.tails) {
			up := tp.Upsample2x(tp.ChannelNorm(h))
			h = tp.Add(tp.Conv2D(n.tails[j], up), skips[len(skips)-1])
			skips = skips[:len(skips)-1]
		}
	}
	return tp.Conv2D(n.final, h)
}

// forward records h + R(h + P(e)).
func (b block) forward(tp *nn.Tape, h, e *nn.Tensor) *nn.Tensor {
	u := tp.ChannelNorm(tp.AddPixels(h, tp.Linear(b.proj, e)))
	return tp.Add(h, tp.Conv2D(b.c2, tp.SiLU(tp.Conv2D(b.c1, u))))
}

// Loss records the denoising loss mean((ε_φ(x_t, t) − ε)²) of rows
// windows on tp (docs/method.md §2.2): xt and eps are (rows, Channels, H,
// W), t is (rows). It panics if a length does not match.
func (n *Net) Loss(tp *nn.Tape, xt, t, eps []float32, rows int) *nn.Tensor {
	c, h, w := n.cfg.Channels, n.cfg.H, n.cfg.W
	if len(xt) != rows*c*h*w || len(eps) != len(xt) || len(t) != rows {
		panic(fmt.Sprintf("unet: Loss: %d windows of %d×%d×%d need xt and eps of %d values and t of %d",
			rows, c, h, w, rows*c*h*w, rows))
	}
	pred := n.Forward(tp, tp.Const(xt, rows, c, h, w), tp.Const(t, rows))
	return tp.MSE(pred, tp.NHWC(tp.Const(eps, rows, c, h, w), nil))
}
