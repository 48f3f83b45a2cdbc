package resmlp

import (
	"sync"

	"sdapipe/nn"
)

// Rows are pushed through the network a tile at a time, layer by layer:
// tiles are large enough for efficient products and small enough that
// their activations stay in cache between layers. A call with more rows
// than layerTile runs tiles of serialTile rows concurrently, one per
// goroutine (three (serialTile, 256) activations and a packed weight fit
// one core's L2); a smaller call runs one tile with every pass and product
// spread over all cores. Tile sizes depend on rows only, never on
// GOMAXPROCS, so results do not either.
const (
	serialTile = 256
	layerTile  = 1024
)

// workspace holds a Net's inference state; buffers grow to the largest
// call and are reused.
type workspace struct {
	c, cOut []float32 // the input layer's and the output layer's folded biases
	// Saved by EpsVJP's forward pass for all rows, per block: ŷ and
	// silu'(z) (rows, W) and 1/std (rows); the output block's at width F.
	yhat, dsilu, rstd [][]float32
	w                 []float32 // (rows, F) cotangent
	emb               tileWS    // one-time embedding scratch
	tiles             tileJob
	layerParallel     bool // run tiles one at a time, each pass on all cores

	mu   sync.Mutex
	free []*tileWS // per-goroutine tile workspaces
}

// tileWS is the scratch of one goroutine running tiles. With serial set,
// its passes and products run on that goroutine alone; otherwise each pass
// and product is spread over all cores.
type tileWS struct {
	h, y, z    []float32 // (tile, W)
	ho, yo, zo []float32 // (tile, F)
	feat       []float32 // (tile, 2·Freqs) time features
	e1, e2     []float32 // (tile, EmbedHidden), (tile, E)
	k          nn.RowKernels
}

func (tw *tileWS) size(cfg Config, t int) {
	w, f := cfg.Width, cfg.Features
	tw.h, tw.y, tw.z = nn.Grow(tw.h, t*w), nn.Grow(tw.y, t*w), nn.Grow(tw.z, t*w)
	tw.ho, tw.yo, tw.zo = nn.Grow(tw.ho, t*f), nn.Grow(tw.yo, t*f), nn.Grow(tw.zo, t*f)
	tw.feat = nn.Grow(tw.feat, t*2*cfg.Freqs)
	tw.e1, tw.e2 = nn.Grow(tw.e1, t*cfg.EmbedHidden), nn.Grow(tw.e2, t*cfg.Embed)
}

// workers is the goroutine count for this workspace's products.
func (tw *tileWS) workers() int {
	if tw.k.Serial {
		return 1
	}
	return 0
}

// tileJob runs whole tiles, one goroutine per tile, each with its own
// serial tileWS: no synchronisation between layers, and each tile's rows
// get the same arithmetic whichever goroutine runs it.
type tileJob struct {
	n              *Net
	dst, x, ts, w  []float32
	rows           int
	save, backward bool
}

func (j *tileJob) Run(lo, hi int) {
	tw := j.n.ws.getTile(j.n.Cfg)
	for i := lo; i < hi; i++ {
		r0 := i * serialTile
		R := min(j.rows-r0, serialTile)
		if j.backward {
			j.n.backwardTile(tw, j.dst, j.w, r0, R)
		} else {
			j.n.forwardTile(tw, j.dst, j.x, j.ts, r0, R, j.save)
		}
	}
	j.n.ws.putTile(tw)
}

func (ws *workspace) getTile(cfg Config) *tileWS {
	ws.mu.Lock()
	var tw *tileWS
	if k := len(ws.free); k > 0 {
		tw, ws.free = ws.free[k-1], ws.free[:k-1]
	}
	ws.mu.Unlock()
	if tw == nil {
		tw = &tileWS{k: nn.RowKernels{Serial: true}}
	}
	tw.size(cfg, serialTile)
	return tw
}

func (ws *workspace) putTile(tw *tileWS) {
	ws.mu.Lock()
	ws.free = append(ws.free, tw)
	ws.mu.Unlock()
}

// runTiles runs the forward (or backward) pass over all rows. Several
// tiles run concurrently, one per goroutine; a single tile runs with its
// passes and products spread over all cores instead.
func (n *Net) runTiles(dst, x, ts, w []float32, rows int, save, backward bool) {
	ws := n.ws
	if rows <= layerTile || ws.layerParallel {
		tw := &ws.emb
		tw.k.Serial = false
		tw.size(n.Cfg, min(rows, layerTile))
		for r0 := 0; r0 < rows; r0 += layerTile {
			R := min(rows-r0, layerTile)
			if backward {
				n.backwardTile(tw, dst, w, r0, R)
			} else {
				n.forwardTile(tw, dst, x, ts, r0, R, save)
			}
		}
		return
	}
	ws.tiles = tileJob{n: n, dst: dst, x: x, ts: ts, w: w, rows: rows, save: save, backward: backward}
	nn.ParallelFor((rows+serialTile-1)/serialTile, 1, &ws.tiles)
	ws.tiles = tileJob{}
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
		ws.yhat[i] = nn.Grow(ws.yhat[i], rows*d)
		ws.dsilu[i] = nn.Grow(ws.dsilu[i], rows*d)
		ws.rstd[i] = nn.Grow(ws.rstd[i], rows)
	}
	ws.w = nn.Grow(ws.w, rows*cfg.Features)
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
	n.foldTime(t)
	n.runTiles(dst, x, nil, nil, rows, false, false)
}

// EpsRows writes ε_φ(x_i, t_i) into dst for rows windows x (rows, F), each
// at its own time t (rows). dst must not overlap x.
func (n *Net) EpsRows(dst, x, t []float32, rows int) {
	checkRows("EpsRows", rows, n.Cfg.Features, dst, x)
	checkRows("EpsRows", rows, 1, t)
	n.ws.cOut = nn.Grow(n.ws.cOut, n.Cfg.Features)
	n.foldOutput(n.lastBias())
	n.runTiles(dst, x, t, nil, rows, false, false)
}

// EpsVJP writes ε = ε_φ(x, t) into eps, calls cot(eps, w), which must fill
// w (rows, F) with a cotangent, and writes grad = wᵀ·∂ε/∂x (rows, F) into
// grad: the input gradient that guidance needs (docs/method.md §4.1). No parameter
// gradients are formed. eps, grad and x must not overlap; cot must not
// keep eps or w. The forward pass keeps ŷ, silu' and 1/std of every block
// for all rows ((2·W+1)·Depth + 2·F + 1 values a row).
func (n *Net) EpsVJP(eps, grad, x []float32, rows int, t float32, cot func(eps, w []float32)) {
	cfg := n.Cfg
	checkRows("EpsVJP", rows, cfg.Features, eps, grad, x)
	ws := n.ws
	ws.sizeSaved(cfg, rows)
	n.foldTime(t)
	n.runTiles(eps, x, nil, nil, rows, true, false)
	w := ws.w[:rows*cfg.Features]
	cot(eps, w)
	n.runTiles(grad, nil, nil, w, rows, false, true)
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
	ws.c, ws.cOut = nn.Grow(ws.c, cfg.Width), nn.Grow(ws.cOut, cfg.Features)
	tw := &ws.emb
	tw.size(cfg, 1)
	nn.TimeFeatures(tw.feat[:2*cfg.Freqs], t)
	matVec(tw.e1[:cfg.EmbedHidden], n.Embed1, tw.feat[:2*cfg.Freqs], 0)
	for i, v := range tw.e1[:cfg.EmbedHidden] {
		tw.e1[i], _ = nn.SiLU(v)
	}
	matVec(tw.e2[:cfg.Embed], n.Embed2, tw.e1[:cfg.EmbedHidden], 0)
	matVec(ws.c, n.Input, tw.e2[:cfg.Embed], cfg.Features)
	n.foldOutput(n.lastBias())
}

// foldOutput sets cOut = W_out·pb + b_out: the output layer applied to a
// bias pb still pending on its input.
func (n *Net) foldOutput(pb []float32) { matVec(n.ws.cOut, n.Output, pb, 0) }

// matVec writes W[:, off:off+len(v)]·v + b into dst (l.Out), summing in
// float64.
func matVec(dst []float32, l *nn.Linear, v []float32, off int) {
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
func (n *Net) forwardTile(tw *tileWS, dst, x, ts []float32, r0, R int, save bool) {
	cfg, ws, nw := n.Cfg, n.ws, tw.workers()
	W, F := cfg.Width, cfg.Features
	h := tw.h[:R*W]
	n.Input.MulWT(nw, h, x[r0*F:(r0+R)*F], R, 0, F, 0)
	pb := ws.c
	if ts != nil {
		n.embedRows(tw, h, ts[r0:r0+R], R)
		pb = n.Input.B.Data
	}
	for i, b := range n.Blocks {
		y, d, rs := tw.y[:R*W], []float32(nil), []float32(nil)
		if save {
			y, d, rs = ws.yhat[i][r0*W:(r0+R)*W], ws.dsilu[i][r0*W:(r0+R)*W], ws.rstd[i][r0:r0+R]
		}
		tw.k.LayerNorm(y, h, pb, rs, R, W)
		z := tw.z[:R*W]
		b.L1.MulWT(nw, z, y, R, 0, W, 0)
		tw.k.BiasSiLU(z, d, b.L1.B.Data, R, W)
		b.L2.MulWT(nw, h, z, R, 0, W, 1)
		pb = b.L2.B.Data
	}
	o := dst[r0*F : (r0+R)*F]
	n.Output.MulWT(nw, o, h, R, 0, W, 0)
	ob := n.OutBlock
	y, d, rs := tw.yo[:R*F], []float32(nil), []float32(nil)
	if save {
		k := cfg.Depth
		y, d, rs = ws.yhat[k][r0*F:(r0+R)*F], ws.dsilu[k][r0*F:(r0+R)*F], ws.rstd[k][r0:r0+R]
	}
	tw.k.LayerNorm(y, o, ws.cOut, rs, R, F)
	z := tw.zo[:R*F]
	ob.L1.MulWT(nw, z, y, R, 0, F, 0)
	tw.k.BiasSiLU(z, d, ob.L1.B.Data, R, F)
	ob.L2.MulWT(nw, o, z, R, 0, F, 1)
	tw.k.AddBias(o, ob.L2.B.Data, R, F)
}

// embedRows adds W_in[:, F:]·e(t_i) for each row's own time to h (R, W).
func (n *Net) embedRows(tw *tileWS, h, ts []float32, R int) {
	cfg, nw := n.Cfg, tw.workers()
	nf := 2 * cfg.Freqs
	feat, e1, e2 := tw.feat[:R*nf], tw.e1[:R*cfg.EmbedHidden], tw.e2[:R*cfg.Embed]
	for r, t := range ts {
		nn.TimeFeatures(feat[r*nf:(r+1)*nf], t)
	}
	n.Embed1.MulWT(nw, e1, feat, R, 0, nf, 0)
	tw.k.BiasSiLU(e1, nil, n.Embed1.B.Data, R, cfg.EmbedHidden)
	n.Embed2.MulWT(nw, e2, e1, R, 0, cfg.EmbedHidden, 0)
	tw.k.AddBias(e2, n.Embed2.B.Data, R, cfg.Embed)
	n.Input.MulWT(nw, h, e2, R, cfg.Features, cfg.Embed, 1)
}

// backwardTile writes the input gradient of rows [r0, r0+R) into grad,
// given the cotangent w of the output, from the activations forwardTile
// saved.
func (n *Net) backwardTile(tw *tileWS, grad, w []float32, r0, R int) {
	cfg, nw := n.Cfg, tw.workers()
	W, F, k := cfg.Width, cfg.Features, cfg.Depth
	g := tw.ho[:R*F]
	copy(g, w[r0*F:(r0+R)*F])
	n.blockBackward(tw, n.OutBlock, g, tw.zo[:R*F], tw.yo[:R*F], k, r0, R, F)
	gh := tw.h[:R*W]
	n.Output.MulW(nw, gh, g, R, 0, W, 0)
	for i := k - 1; i >= 0; i-- {
		n.blockBackward(tw, n.Blocks[i], gh, tw.z[:R*W], tw.y[:R*W], i, r0, R, W)
	}
	n.Input.MulW(nw, grad[r0*F:(r0+R)*F], gh, R, 0, F, 0)
}

// blockBackward adds to g (R, d), the gradient at block i's output, the
// path through its residual branch, so that g becomes the gradient at the
// block's input. da and dy are (R, d) scratch.
func (n *Net) blockBackward(tw *tileWS, b Block, g, da, dy []float32, i, r0, R, d int) {
	ws, nw := n.ws, tw.workers()
	b.L2.MulW(nw, da, g, R, 0, d, 0)
	tw.k.Mul(da, ws.dsilu[i][r0*d:(r0+R)*d], R, d)
	b.L1.MulW(nw, dy, da, R, 0, d, 0)
	tw.k.LayerNormBackward(g, dy, ws.yhat[i][r0*d:(r0+R)*d], ws.rstd[i][r0:r0+R], R, d)
}
