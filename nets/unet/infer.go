package unet

import (
	"fmt"
	"sync"

	"sdapipe/nn"
	"sdapipe/nn/conv"
)

// The inference path runs whole windows on goroutines of their own: each
// window goes through the network layer by layer on one goroutine, with
// single-threaded kernels, while other goroutines take other windows
// (nn.ParallelFor, one window per chunk). A window's arithmetic does not
// depend on which goroutine runs it, so results do not depend on
// GOMAXPROCS, and between layers a window's activations (1 MiB a layer at
// 64×64×64) stay in the core's caches. No parameter gradients are formed.
//
// The activations are kept in NHWC; a window's input is transposed in, with
// the forcing channel, and its output transposed out. Eps keeps nothing
// between layers but each level's stream (its skip), EpsVJP keeps per
// window and block the normalised input ŷ, 1/std and silu'(z) of the first
// convolution's output, and per tail ŷ and 1/std: 2C+1 values per pixel and
// block (about 23 MiB a window at widths (64, 128, 256)).

// engine is a Net's inference state: filters packed from its weights,
// the time embedding, per-window saved activations and per-goroutine
// workers.
type engine struct {
	n       *Net
	filters map[*nn.Conv2D]*conv.Filter
	convs   []*nn.Conv2D // every convolution, in parameter order
	sizes   [][2]int     // per convolution, its input's height and width
	blocks  []blockRef   // every block: down levels, then up levels
	tails   []tailRef
	lv      []level

	feat, hid, emb []float32   // the shared time embedding
	proj           [][]float32 // per block, P(e) for the shared time
	projRows       [][]float32 // per block, P(e_i) per window (EpsRows)
	saves          [][]float32 // per window, the activations EpsVJP keeps
	w              []float32   // cotangent
	saveSize       int

	mu   sync.Mutex
	free []*worker

	fwd  fwdJob
	bwd  bwdJob
	pack packJob
}

// level is one resolution: hh×ww pixels of c channels.
type level struct{ hh, ww, pix, c int }

// blockRef locates a block: its level, and its saved activations at
// offset off of a window's save.
type blockRef struct {
	b     block
	level int
	off   int
}

// tailRef locates a tail: it normalises level l+1 and writes level l.
type tailRef struct {
	c   *nn.Conv2D
	l   int
	off int
}

func newEngine(n *Net) *engine {
	e := &engine{n: n, filters: map[*nn.Conv2D]*conv.Filter{}}
	cfg := n.cfg
	for i, w := range cfg.Widths {
		hh, ww := cfg.H>>i, cfg.W>>i
		e.lv = append(e.lv, level{hh, ww, hh * ww, w})
	}
	// The size of every convolution's input.
	size := map[*nn.Conv2D][2]int{n.heads[0]: {cfg.H, cfg.W}, n.final: {cfg.H, cfg.W}}
	for i := 1; i < len(n.heads); i++ {
		size[n.heads[i]] = [2]int{e.lv[i-1].hh, e.lv[i-1].ww}
	}
	blockSize := func(bs []block, i int) {
		for _, b := range bs {
			size[b.c1] = [2]int{e.lv[i].hh, e.lv[i].ww}
			size[b.c2] = size[b.c1]
		}
	}
	for i, bs := range n.down {
		blockSize(bs, i)
	}
	for j, bs := range n.up {
		blockSize(bs, len(cfg.Widths)-1-j)
	}
	for j, t := range n.tails {
		l := len(cfg.Widths) - 2 - j
		size[t] = [2]int{e.lv[l].hh, e.lv[l].ww}
	}
	n.visit(func(*nn.Linear) {}, func(c *nn.Conv2D) {
		e.convs = append(e.convs, c)
		e.sizes = append(e.sizes, size[c])
	})
	L := len(cfg.Widths)
	off := 0
	add := func(b block, l int) {
		e.blocks = append(e.blocks, blockRef{b, l, off})
		off += e.lv[l].pix * (2*e.lv[l].c + 1)
	}
	for i, bs := range n.down {
		for _, b := range bs {
			add(b, i)
		}
	}
	for j, bs := range n.up {
		for _, b := range bs {
			add(b, L-1-j)
		}
	}
	for j, t := range n.tails {
		l := L - 2 - j
		e.tails = append(e.tails, tailRef{t, l, off})
		off += e.lv[l+1].pix * (e.lv[l+1].c + 1)
	}
	e.saveSize = off
	return e
}

// blockSave returns block k's saved ŷ, 1/std and silu' in a window's save.
func (e *engine) blockSave(s []float32, k int) (yhat, rstd, d []float32) {
	r := e.blocks[k]
	lv := e.lv[r.level]
	n := lv.pix * lv.c
	s = s[r.off:]
	return s[:n], s[n : n+lv.pix], s[n+lv.pix : 2*n+lv.pix]
}

// tailSave returns tail j's saved ŷ and 1/std.
func (e *engine) tailSave(s []float32, j int) (yhat, rstd []float32) {
	lv := e.lv[e.tails[j].l+1]
	n := lv.pix * lv.c
	s = s[e.tails[j].off:]
	return s[:n], s[n : n+lv.pix]
}

// packAll gets every layer's filter packed for its input size, for the
// forward pass and, with backward, the input gradient (nn.Conv2D.Filter
// repacks only what changed); one layer per chunk on all cores.
func (e *engine) packAll(backward bool) {
	e.pack = packJob{e: e, backward: backward}
	nn.ParallelFor(len(e.convs), 1, &e.pack)
	e.pack = packJob{}
}

type packJob struct {
	e        *engine
	backward bool
}

func (j *packJob) Run(lo, hi int) {
	for i := lo; i < hi; i++ {
		c, sz := j.e.convs[i], j.e.sizes[i]
		f := c.Filter(sz[0], sz[1], j.backward)
		j.e.mu.Lock()
		j.e.filters[c] = f
		j.e.mu.Unlock()
	}
}

// embed computes the time embedding e(t) and every block's P(e) into
// proj (or, for rows > 1, row r of projRows): one row of products.
func (e *engine) embed(t float32, proj [][]float32, row int) {
	n := e.n
	e.feat = nn.Grow(e.feat, 2*freqs)
	e.hid = nn.Grow(e.hid, n.cfg.EmbedHidden)
	e.emb = nn.Grow(e.emb, n.cfg.Embed)
	nn.TimeFeatures(e.feat, t)
	linear1(n.embed1, e.hid, e.feat, true)
	linear1(n.embed2, e.emb, e.hid, false)
	for k, r := range e.blocks {
		c := r.b.proj.Out
		linear1(r.b.proj, proj[k][row*c:(row+1)*c], e.emb, false)
	}
}

// linear1 writes x·Wᵀ + b, then silu if act, for one row x.
func linear1(l *nn.Linear, y, x []float32, act bool) {
	l.MulWT(1, y, x, 1, 0, l.In, 0)
	for i := range y {
		y[i] += l.B.Data[i]
		if act {
			y[i], _ = nn.SiLU(y[i])
		}
	}
}

// sizeProj makes proj hold rows rows of P(e) per block.
func (e *engine) sizeProj(proj [][]float32, rows int) [][]float32 {
	if len(proj) != len(e.blocks) {
		proj = make([][]float32, len(e.blocks))
	}
	for k, r := range e.blocks {
		proj[k] = nn.Grow(proj[k], rows*r.b.proj.Out)
	}
	return proj
}

// check panics unless the slices hold n windows.
func (e *engine) check(op string, n int, bufs ...[]float32) {
	size := e.n.cfg.Channels * e.n.cfg.H * e.n.cfg.W
	for _, b := range bufs {
		if len(b) != n*size {
			panic(fmt.Sprintf("unet: %s: %d windows need %d values, got %d", op, n, n*size, len(b)))
		}
	}
}

// Eps writes ε_φ(x, t) into dst for n windows x (n, Channels, H, W), all
// at time t. It does not allocate once its buffers have grown.
func (n *Net) Eps(dst, x []float32, rows int, t float32) {
	e := n.eng
	e.check("Eps", rows, dst, x)
	e.packAll(false)
	e.proj = e.sizeProj(e.proj, 1)
	e.embed(t, e.proj, 0)
	e.runForward(dst, x, rows, e.proj, false, false)
}

// EpsRows writes ε_φ(x_i, t_i) into dst for n windows, each at its own
// time.
func (n *Net) EpsRows(dst, x, t []float32, rows int) {
	e := n.eng
	e.check("EpsRows", rows, dst, x)
	if len(t) != rows {
		panic("unet: EpsRows: t needs one time per window")
	}
	e.packAll(false)
	e.projRows = e.sizeProj(e.projRows, rows)
	for i, ti := range t {
		e.embed(ti, e.projRows, i)
	}
	e.runForward(dst, x, rows, e.projRows, true, false)
}

// EpsVJP writes ε_φ(x, t) into eps for n windows, calls cot(eps, w) for
// the cotangent w, and writes grad = wᵀ·∂ε/∂x. It keeps every window's
// activations between the two passes (see the package comment) and forms
// no parameter gradients.
func (n *Net) EpsVJP(eps, grad, x []float32, rows int, t float32, cot func(eps, w []float32)) {
	e := n.eng
	e.check("EpsVJP", rows, eps, grad, x)
	e.packAll(true)
	e.proj = e.sizeProj(e.proj, 1)
	e.embed(t, e.proj, 0)
	for len(e.saves) < rows {
		e.saves = append(e.saves, nil)
	}
	for i := range rows {
		e.saves[i] = nn.Grow(e.saves[i], e.saveSize)
	}
	e.runForward(eps, x, rows, e.proj, false, true)
	e.w = nn.Grow(e.w, len(eps))
	cot(eps, e.w)
	e.bwd = bwdJob{e: e, grad: grad, w: e.w}
	nn.ParallelFor(rows, 1, &e.bwd)
	e.bwd = bwdJob{}
}

func (e *engine) runForward(dst, x []float32, rows int, proj [][]float32, perRow, save bool) {
	e.fwd = fwdJob{e: e, dst: dst, x: x, proj: proj, perRow: perRow, save: save}
	nn.ParallelFor(rows, 1, &e.fwd)
	e.fwd = fwdJob{}
}

// fwdJob runs the forward pass of windows [lo, hi).
type fwdJob struct {
	e            *engine
	dst, x       []float32
	proj         [][]float32
	perRow, save bool
}

func (j *fwdJob) Run(lo, hi int) {
	wk := j.e.getWorker()
	defer j.e.putWorker(wk)
	size := j.e.n.cfg.Channels * j.e.n.cfg.H * j.e.n.cfg.W
	for i := lo; i < hi; i++ {
		var save []float32
		if j.save {
			save = j.e.saves[i]
		}
		row := 0
		if j.perRow {
			row = i
		}
		j.e.forward(wk, j.dst[i*size:(i+1)*size], j.x[i*size:(i+1)*size], j.proj, row, save)
	}
}

// bwdJob runs the input-gradient pass of windows [lo, hi).
type bwdJob struct {
	e       *engine
	grad, w []float32
}

func (j *bwdJob) Run(lo, hi int) {
	wk := j.e.getWorker()
	defer j.e.putWorker(wk)
	size := j.e.n.cfg.Channels * j.e.n.cfg.H * j.e.n.cfg.W
	for i := lo; i < hi; i++ {
		j.e.backward(wk, j.grad[i*size:(i+1)*size], j.w[i*size:(i+1)*size], j.e.saves[i])
	}
}

func (e *engine) getWorker() *worker {
	e.mu.Lock()
	var wk *worker
	if k := len(e.free); k > 0 {
		wk, e.free = e.free[k-1], e.free[:k-1]
	}
	e.mu.Unlock()
	if wk == nil {
		wk = newWorker(e)
	}
	return wk
}

func (e *engine) putWorker(wk *worker) {
	e.mu.Lock()
	e.free = append(e.free, wk)
	e.mu.Unlock()
}
