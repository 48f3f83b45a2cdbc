package nn

// inferTile is the number of rows pushed through the network layer by
// layer at a time: large enough for efficient products, small enough that
// a tile's activations (1 MiB at width 256) stay in cache between layers.
const inferTile = 1024

// workspace holds a Net's inference buffers; they grow to the largest
// call and are reused.
type workspace struct {
	h, y, z    []float32 // (tile, W)
	ho, yo, zo []float32 // (tile, F)
	c, cOut    []float32 // the input layer's and the output layer's folded biases
	feat       []float32 // (tile, 2·Freqs) time features
	e1, e2     []float32 // (tile, EmbedHidden), (tile, E) embedding activations
	// Saved by EpsVJP's forward pass for all rows, per block: ŷ and
	// silu'(z) (rows, W) and 1/std (rows); the output block's at width F.
	yhat, dsilu, rstd [][]float32
	w                 []float32 // (rows, F) cotangent
	jobs              tapeJobs
}

func (ws *workspace) size(cfg Config) {
	t, w, f := inferTile, cfg.Width, cfg.Features
	ws.h, ws.y, ws.z = grow(ws.h, t*w), grow(ws.y, t*w), grow(ws.z, t*w)
	ws.ho, ws.yo, ws.zo = grow(ws.ho, t*f), grow(ws.yo, t*f), grow(ws.zo, t*f)
	ws.c, ws.cOut = grow(ws.c, w), grow(ws.cOut, f)
}

// sizeSaved makes room for the activations EpsVJP keeps for rows rows.
func (ws *workspace) sizeSaved(cfg Config, rows int) {
	nb := cfg.Depth + 1
	if len(ws.yhat) != nb {
		ws.yhat, ws.dsilu, ws.rstd = make([][]float32, nb), make([][]float32, nb), make([][]float32, nb)
	}
	for i := range nb {
		d := cfg.Width
		if i == cfg.Depth {
			d = cfg.Features
		}
		ws.yhat[i] = grow(ws.yhat[i], rows*d)
		ws.dsilu[i] = grow(ws.dsilu[i], rows*d)
		ws.rstd[i] = grow(ws.rstd[i], rows)
	}
	ws.w = grow(ws.w, rows*cfg.Features)
}

func checkRows(op string, rows, f int, bufs ...[]float32) {
	for _, b := range bufs {
		if len(b) != rows*f {
			panic("nn: " + op + ": slice length is not rows·Features")
		}
	}
}

// Eps writes ε_φ(x, t) into dst for rows windows x (rows, F), all at the
// same diffusion time t. The time embedding is computed once and folded
// into the input layer's bias. dst must not overlap x. It panics if x or
// dst is not rows·F long. It allocates only when rows exceeds every earlier
// call's.
func (n *Net) Eps(dst, x []float32, rows int, t float32) {
	checkRows("Eps", rows, n.Cfg.Features, dst, x)
	ws := n.ws
	ws.size(n.Cfg)
	n.foldTime(t)
	for r0 := 0; r0 < rows; r0 += inferTile {
		n.forwardTile(dst, x, nil, r0, min(rows-r0, inferTile), false)
	}
}

// EpsRows writes ε_φ(x_i, t_i) into dst for rows windows x (rows, F), each
// at its own time t (rows). dst must not overlap x.
func (n *Net) EpsRows(dst, x, t []float32, rows int) {
	checkRows("EpsRows", rows, n.Cfg.Features, dst, x)
	checkRows("EpsRows", rows, 1, t)
	ws := n.ws
	ws.size(n.Cfg)
	c := n.Cfg
	ws.feat = grow(ws.feat, inferTile*2*c.Freqs)
	ws.e1 = grow(ws.e1, inferTile*c.EmbedHidden)
	ws.e2 = grow(ws.e2, inferTile*c.Embed)
	n.foldOutput(n.lastBias())
	for r0 := 0; r0 < rows; r0 += inferTile {
		n.forwardTile(dst, x, t, r0, min(rows-r0, inferTile), false)
	}
}

// EpsVJP writes ε = ε_φ(x, t) into eps, calls cot(eps, w), which must fill
// w (rows, F) with a cotangent, and writes grad = wᵀ·∂ε/∂x (rows, F) into
// grad: the input gradient that guidance needs (spec §4.1). No parameter
// gradients are formed. eps, grad and x must not overlap; cot must not
// keep eps or w. The forward pass keeps ŷ, silu' and 1/std of every block
// for all rows ((2·W+1)·Depth + 2·F + 1 values a row).
func (n *Net) EpsVJP(eps, grad, x []float32, rows int, t float32, cot func(eps, w []float32)) {
	cfg := n.Cfg
	checkRows("EpsVJP", rows, cfg.Features, eps, grad, x)
	ws := n.ws
	ws.size(cfg)
	ws.sizeSaved(cfg, rows)
	n.foldTime(t)
	for r0 := 0; r0 < rows; r0 += inferTile {
		n.forwardTile(eps, x, nil, r0, min(rows-r0, inferTile), true)
	}
	w := ws.w[:rows*cfg.Features]
	cot(eps, w)
	for r0 := 0; r0 < rows; r0 += inferTile {
		n.backwardTile(grad, w, r0, min(rows-r0, inferTile))
	}
}

// lastBias returns the bias left pending by the last width-W layer.
func (n *Net) lastBias() []float32 {
	if len(n.Blocks) == 0 {
		return n.Input.B.Data
	}
	return n.Blocks[len(n.Blocks)-1].L2.B.Data
}

// foldTime computes, for one t, the input layer's effective bias
// c = W_in[:, F:]·e(t) + b_in, and the output layer's folded bias.
func (n *Net) foldTime(t float32) {
	cfg, ws := n.Cfg, n.ws
	ws.feat = grow(ws.feat, 2*cfg.Freqs)
	ws.e1 = grow(ws.e1, cfg.EmbedHidden)
	ws.e2 = grow(ws.e2, cfg.Embed)
	timeFeatures(ws.feat[:2*cfg.Freqs], t)
	matVec(ws.e1[:cfg.EmbedHidden], n.Embed1, ws.feat, 0)
	for i, v := range ws.e1[:cfg.EmbedHidden] {
		ws.e1[i], _ = silu(v)
	}
	matVec(ws.e2[:cfg.Embed], n.Embed2, ws.e1, 0)
	matVec(ws.c, n.Input, ws.e2, cfg.Features)
	n.foldOutput(n.lastBias())
}

// foldOutput sets cOut = W_out·pb + b_out: the output layer applied to a
// bias pb still pending on its input.
func (n *Net) foldOutput(pb []float32) { matVec(n.ws.cOut, n.Output, pb, 0) }

// matVec writes W[:, off:off+len(v)]·v + b into dst (l.Out), summing in
// float64.
func matVec(dst []float32, l *Linear, v []float32, off int) {
	for o := range l.Out {
		row := l.W.Data[o*l.In+off : o*l.In+off+len(v)]
		s := float64(l.B.Data[o])
		for j, w := range row {
			s += float64(w) * float64(v[j])
		}
		dst[o] = float32(s)
	}
}

// forwardTile runs rows [r0, r0+R) of x through the network into dst. With
// per-row times ts it computes the embedding per row; otherwise ws.c holds
// the folded time bias. With save, it keeps what backwardTile needs.
func (n *Net) forwardTile(dst, x, ts []float32, r0, R int, save bool) {
	cfg, ws := n.Cfg, n.ws
	W, F := cfg.Width, cfg.Features
	h := ws.h[:R*W]
	xs := x[r0*F : (r0+R)*F]
	n.Input.mulWT(h, xs, R, 0, F, 0)
	pb := ws.c
	if ts != nil {
		n.embedRows(h, ts[r0:r0+R], R)
		pb = n.Input.B.Data
	}
	for i, b := range n.Blocks {
		y, d, rs := ws.y[:R*W], []float32(nil), []float32(nil)
		if save {
			y, d, rs = ws.yhat[i][r0*W:(r0+R)*W], ws.dsilu[i][r0*W:(r0+R)*W], ws.rstd[i][r0:r0+R]
		}
		ws.jobs.ln.do(y, h, pb, rs, R, W)
		z := ws.z[:R*W]
		b.L1.mulWT(z, y, R, 0, W, 0)
		ws.jobs.silu.do(z, d, b.L1.B.Data, R, W)
		b.L2.mulWT(h, z, R, 0, W, 1)
		pb = b.L2.B.Data
	}
	o := dst[r0*F : (r0+R)*F]
	n.Output.mulWT(o, h, R, 0, W, 0)
	ob := n.OutBlock
	y, d, rs := ws.yo[:R*F], []float32(nil), []float32(nil)
	if save {
		k := cfg.Depth
		y, d, rs = ws.yhat[k][r0*F:(r0+R)*F], ws.dsilu[k][r0*F:(r0+R)*F], ws.rstd[k][r0:r0+R]
	}
	ws.jobs.ln.do(y, o, ws.cOut, rs, R, F)
	z := ws.zo[:R*F]
	ob.L1.mulWT(z, y, R, 0, F, 0)
	ws.jobs.silu.do(z, d, ob.L1.B.Data, R, F)
	ob.L2.mulWT(o, z, R, 0, F, 1)
	ws.jobs.bias.do(o, ob.L2.B.Data, R, F)
}

// embedRows adds W_in[:, F:]·e(t_i) for each row's own time to h (R, W).
func (n *Net) embedRows(h, ts []float32, R int) {
	cfg, ws := n.Cfg, n.ws
	nf := 2 * cfg.Freqs
	feat, e1, e2 := ws.feat[:R*nf], ws.e1[:R*cfg.EmbedHidden], ws.e2[:R*cfg.Embed]
	for r, t := range ts {
		timeFeatures(feat[r*nf:(r+1)*nf], t)
	}
	n.Embed1.mulWT(e1, feat, R, 0, nf, 0)
	ws.jobs.silu.do(e1, nil, n.Embed1.B.Data, R, cfg.EmbedHidden)
	n.Embed2.mulWT(e2, e1, R, 0, cfg.EmbedHidden, 0)
	ws.jobs.bias.do(e2, n.Embed2.B.Data, R, cfg.Embed)
	n.Input.mulWT(h, e2, R, cfg.Features, cfg.Embed, 1)
}

// backwardTile writes the input gradient of rows [r0, r0+R) into grad,
// given the cotangent w of the output, from the activations forwardTile
// saved.
func (n *Net) backwardTile(grad, w []float32, r0, R int) {
	cfg, ws := n.Cfg, n.ws
	W, F, k := cfg.Width, cfg.Features, cfg.Depth
	g := ws.ho[:R*F]
	copy(g, w[r0*F:(r0+R)*F])
	n.blockBackward(n.OutBlock, g, ws.zo[:R*F], ws.yo[:R*F], k, r0, R, F)
	gh := ws.h[:R*W]
	n.Output.mulW(gh, g, R, 0, W, 0)
	for i := k - 1; i >= 0; i-- {
		n.blockBackward(n.Blocks[i], gh, ws.z[:R*W], ws.y[:R*W], i, r0, R, W)
	}
	n.Input.mulW(grad[r0*F:(r0+R)*F], gh, R, 0, F, 0)
}

// blockBackward adds to g (R, d), the gradient at block i's output, the
// path through its residual branch, so that g becomes the gradient at the
// block's input. da and dy are (R, d) scratch.
func (n *Net) blockBackward(b Block, g, da, dy []float32, i, r0, R, d int) {
	ws := n.ws
	b.L2.mulW(da, g, R, 0, d, 0)
	ws.jobs.col.do(nil, da, da, ws.dsilu[i][r0*d:(r0+R)*d], nil, R, d)
	b.L1.mulW(dy, da, R, 0, d, 0)
	ws.jobs.lnb.do(g, dy, ws.yhat[i][r0*d:(r0+R)*d], ws.rstd[i][r0:r0+R], true, R, d)
}
