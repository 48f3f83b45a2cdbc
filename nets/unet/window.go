package unet

import (
	"sdapipe/nn"
	"sdapipe/nn/conv"
)

// worker is one goroutine's scratch for whole windows.
type worker struct {
	sc     conv.Scratch
	rk     nn.RowKernels
	x, out []float32   // input (pix0, in) and output (pix0, Channels), NHWC
	hs, gs [][]float32 // per level: the stream and its gradient
	u, z   []float32   // the largest level's ŷ and conv output
	up     []float32   // an upsampled tail input, or its gradient
	rstd   []float32
	t1, t2 []float32 // gradient scratch of the largest level
}

func newWorker(e *engine) *worker {
	cfg := e.n.cfg
	l0 := e.lv[0]
	wk := &worker{rk: nn.RowKernels{Serial: true}}
	wk.x = make([]float32, l0.pix*cfg.inChannels())
	wk.out = make([]float32, l0.pix*cfg.Channels)
	big, ups := 0, 0
	for i, lv := range e.lv {
		wk.hs = append(wk.hs, make([]float32, lv.pix*lv.c))
		wk.gs = append(wk.gs, make([]float32, lv.pix*lv.c))
		big = max(big, lv.pix*lv.c)
		if i+1 < len(e.lv) {
			ups = max(ups, lv.pix*e.lv[i+1].c)
		}
	}
	wk.u, wk.z = make([]float32, big), make([]float32, big)
	wk.t1, wk.t2 = make([]float32, big), make([]float32, big)
	wk.up = make([]float32, ups)
	wk.rstd = make([]float32, l0.pix)
	return wk
}

// forward runs one window x (Channels, H, W) into dst, with block k's
// modulation proj[k][row·C:]. If save is not nil it keeps what backward
// needs there.
func (e *engine) forward(wk *worker, dst, x []float32, proj [][]float32, row int, save []float32) {
	n, cfg := e.n, e.n.cfg
	l0 := e.lv[0]
	nn.FromCHW(wk.x, x, n.forcing, cfg.Channels, cfg.inChannels(), l0.pix)
	in, inH, inW := wk.x, cfg.H, cfg.W
	k := 0
	for i, head := range n.heads {
		lv := e.lv[i]
		e.filters[head].Forward(&wk.sc, wk.hs[i], in, head.B.Data, 1, inH, inW, false)
		for range n.down[i] {
			e.blockForward(wk, k, wk.hs[i], proj[k][row*lv.c:(row+1)*lv.c], save)
			k++
		}
		in, inH, inW = wk.hs[i], lv.hh, lv.ww
	}
	L := len(e.lv)
	for j := range n.up {
		i := L - 1 - j
		lv := e.lv[i]
		for range n.up[j] {
			e.blockForward(wk, k, wk.hs[i], proj[k][row*lv.c:(row+1)*lv.c], save)
			k++
		}
		if j < len(n.tails) {
			e.tailForward(wk, j, save)
		}
	}
	e.filters[n.final].Forward(&wk.sc, wk.out, wk.hs[0], n.final.B.Data, 1, cfg.H, cfg.W, false)
	nn.ToCHW(dst, wk.out, cfg.Channels, cfg.Channels, l0.pix, false)
}

// blockForward runs block k in place on h: h ← h + c2(silu(c1(LN(h + p)))).
func (e *engine) blockForward(wk *worker, k int, h, p, save []float32) {
	r := e.blocks[k]
	lv := e.lv[r.level]
	yhat, rstd, d := wk.u[:lv.pix*lv.c], []float32(nil), []float32(nil)
	if save != nil {
		yhat, rstd, d = e.blockSave(save, k)
	}
	z := wk.z[:lv.pix*lv.c]
	wk.rk.LayerNormAdd(yhat, h, p, rstd, lv.pix, lv.c)
	e.filters[r.b.c1].Forward(&wk.sc, z, yhat, nil, 1, lv.hh, lv.ww, false)
	wk.rk.BiasSiLU(z, d, r.b.c1.B.Data, lv.pix, lv.c)
	e.filters[r.b.c2].Forward(&wk.sc, h, z, r.b.c2.B.Data, 1, lv.hh, lv.ww, true)
}

// tailForward runs tail j: h_l ← h_l + c(up(LN(h_{l+1}))), h_l being the
// level's skip.
func (e *engine) tailForward(wk *worker, j int, save []float32) {
	t := e.tails[j]
	lo, hi := e.lv[t.l], e.lv[t.l+1]
	yhat, rstd := wk.u[:hi.pix*hi.c], []float32(nil)
	if save != nil {
		yhat, rstd = e.tailSave(save, j)
	}
	wk.rk.LayerNorm(yhat, wk.hs[t.l+1], nil, rstd, hi.pix, hi.c)
	up := wk.up[:lo.pix*hi.c]
	nn.Upsample2x(up, yhat, hi.hh, hi.ww, hi.c)
	e.filters[t.c].Forward(&wk.sc, wk.hs[t.l], up, t.c.B.Data, 1, lo.hh, lo.ww, true)
}

// backward writes into grad the input gradient of one window for the
// cotangent w (both (Channels, H, W)), from the activations in save.
func (e *engine) backward(wk *worker, grad, w, save []float32) {
	n, cfg := e.n, e.n.cfg
	l0 := e.lv[0]
	L := len(e.lv)
	nn.FromCHW(wk.out, w, nil, cfg.Channels, cfg.Channels, l0.pix)
	e.filters[n.final].BackwardData(&wk.sc, wk.gs[0], wk.out, 1, cfg.H, cfg.W, false)
	k := len(e.blocks)
	for j := len(n.up) - 1; j >= 0; j-- {
		i := L - 1 - j
		if j < len(n.tails) {
			e.tailBackward(wk, j, save)
		}
		for range n.up[j] {
			k--
			e.blockBackward(wk, k, wk.gs[i], save)
		}
	}
	for i := L - 1; i >= 0; i-- {
		for range n.down[i] {
			k--
			e.blockBackward(wk, k, wk.gs[i], save)
		}
		if i > 0 {
			prev := e.lv[i-1]
			e.filters[n.heads[i]].BackwardData(&wk.sc, wk.gs[i-1], wk.gs[i], 1, prev.hh, prev.ww, true)
		}
	}
	e.filters[n.heads[0]].BackwardData(&wk.sc, wk.x, wk.gs[0], 1, cfg.H, cfg.W, false)
	nn.ToCHW(grad, wk.x, cfg.Channels, cfg.inChannels(), l0.pix, false)
}

// blockBackward turns g, the gradient of block k's output, into that of
// its input, in place: g ← g + LN'ᵀ(c1ᵀ(silu' ⊙ c2ᵀ(g))).
func (e *engine) blockBackward(wk *worker, k int, g, save []float32) {
	r := e.blocks[k]
	lv := e.lv[r.level]
	yhat, rstd, d := e.blockSave(save, k)
	t1, t2 := wk.t1[:lv.pix*lv.c], wk.t2[:lv.pix*lv.c]
	e.filters[r.b.c2].BackwardData(&wk.sc, t1, g, 1, lv.hh, lv.ww, false)
	wk.rk.Mul(t1, d, lv.pix, lv.c)
	e.filters[r.b.c1].BackwardData(&wk.sc, t2, t1, 1, lv.hh, lv.ww, false)
	wk.rk.LayerNormBackward(g, t2, yhat, rstd, lv.pix, lv.c)
}

// tailBackward writes the gradient of level l+1's stream from g_l, the
// gradient of tail j's output (which stays g_l's, for the skip).
func (e *engine) tailBackward(wk *worker, j int, save []float32) {
	t := e.tails[j]
	lo, hi := e.lv[t.l], e.lv[t.l+1]
	yhat, rstd := e.tailSave(save, j)
	up := wk.up[:lo.pix*hi.c]
	e.filters[t.c].BackwardData(&wk.sc, up, wk.gs[t.l], 1, lo.hh, lo.ww, false)
	t1 := wk.t1[:hi.pix*hi.c]
	nn.Upsample2xBackward(t1, up, hi.hh, hi.ww, hi.c, false)
	g := wk.gs[t.l+1]
	clear(g)
	wk.rk.LayerNormBackward(g, t1, yhat, rstd, hi.pix, hi.c)
}
