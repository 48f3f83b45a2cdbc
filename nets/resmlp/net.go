package resmlp

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"sdapipe/nets"
	"sdapipe/nn"
)

// Config sizes the residual-MLP local score network of docs/method.md §2.3–2.5. Its
// JSON form is the architecture's part of a train stage's network.json.
type Config struct {
	Features    int `json:"features"`     // F = D·(2k+1): values per input window (state-major)
	Width       int `json:"width"`        // W: hidden width
	Depth       int `json:"depth"`        // residual blocks at width W
	Embed       int `json:"embed"`        // E: size of the time embedding
	EmbedHidden int `json:"embed_hidden"` // hidden width of the time-embedding MLP
	Freqs       int `json:"freqs"`        // time frequencies π·j, j = 1..Freqs; 2·Freqs features
}

// LocalConfig returns the SDA Lorenz configuration for windows of window
// states of dim variables at hidden width W: depth 5, E = 32, an embedding
// MLP of width 256 over 16 frequencies (docs/method.md §0, §2.5).
func LocalConfig(dim, window, width int) Config {
	return Config{Features: dim * window, Width: width, Depth: 5, Embed: 32, EmbedHidden: 256, Freqs: 16}
}

// Validate reports a configuration the network cannot be built from.
func (c Config) Validate() error {
	switch {
	case c.Features < 2:
		return &nets.ConfigError{Arch: Name, Msg: fmt.Sprintf("Features = %d, need at least 2 (the output block normalises over them)", c.Features)}
	case c.Width < 2:
		return &nets.ConfigError{Arch: Name, Msg: fmt.Sprintf("Width = %d, need at least 2", c.Width)}
	case c.Depth < 0:
		return &nets.ConfigError{Arch: Name, Msg: fmt.Sprintf("Depth = %d, need 0 or more", c.Depth)}
	case c.Embed < 1 || c.EmbedHidden < 1 || c.Freqs < 1:
		return &nets.ConfigError{Arch: Name, Msg: fmt.Sprintf("Embed = %d, EmbedHidden = %d, Freqs = %d: all must be positive", c.Embed, c.EmbedHidden, c.Freqs)}
	}
	return nil
}

// A Block is the residual block h ← h + L2(silu(L1(LN(h)))) of width d.
type Block struct{ L1, L2 *nn.Linear }

func newBlock(name string, d int) Block {
	return Block{nn.NewLinear(name+".l1", d, d), nn.NewLinear(name+".l2", d, d)}
}

// Forward records the block on tp.
func (b Block) Forward(tp *nn.Tape, h *nn.Tensor) *nn.Tensor {
	return tp.AddLinear(h, b.L2, tp.LinearSiLU(b.L1, tp.LayerNorm(h)))
}

// Net is the local score network ε_φ(x, t) of docs/method.md §2.5:
//
//	e = L(256→E)(silu(L(2·Freqs→256)(feats(t))))
//	h = Input([x, e]);  h = Block_W(h) ×Depth;  h = Output(h);  ε = Block_F(h)
//
// Its inference methods keep a workspace and are not safe for concurrent
// use; Share gives another goroutine its own.
type Net struct {
	Cfg            Config
	Embed1, Embed2 *nn.Linear // embed.l1, embed.l2
	Input          *nn.Linear // input: (W, F+E)
	Blocks         []Block    // blocks.i
	Output         *nn.Linear // output: (F, W)
	OutBlock       Block      // out_block
	params         []*nn.Param
	byName         map[string]*nn.Param
	ws             *workspace
}

// NewNet builds a network and initialises it as PyTorch would (Linear.Init,
// layer by layer in parameter order) from rng.
func NewNet(cfg Config, rng *rand.Rand) (*Net, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := &Net{
		Cfg:    cfg,
		Embed1: nn.NewLinear("embed.l1", 2*cfg.Freqs, cfg.EmbedHidden),
		Embed2: nn.NewLinear("embed.l2", cfg.EmbedHidden, cfg.Embed),
		Input:  nn.NewLinear("input", cfg.Features+cfg.Embed, cfg.Width),
		Output: nn.NewLinear("output", cfg.Width, cfg.Features),
	}
	for i := range cfg.Depth {
		n.Blocks = append(n.Blocks, newBlock("blocks."+strconv.Itoa(i), cfg.Width))
	}
	n.OutBlock = newBlock("out_block", cfg.Features)
	n.byName = map[string]*nn.Param{}
	for _, l := range n.layers() {
		l.Init(rng)
		for _, p := range []*nn.Param{l.W, l.B} {
			n.params = append(n.params, p)
			n.byName[p.Name] = p
		}
	}
	n.ws = new(workspace)
	return n, nil
}

// layers returns the Linear layers in parameter order.
func (n *Net) layers() []*nn.Linear {
	ls := []*nn.Linear{n.Embed1, n.Embed2, n.Input}
	for _, b := range n.Blocks {
		ls = append(ls, b.L1, b.L2)
	}
	return append(ls, n.Output, n.OutBlock.L1, n.OutBlock.L2)
}

// Params returns the parameters in a fixed order: embed.l1.weight,
// embed.l1.bias, embed.l2.*, input.*, blocks.0.l1.*, blocks.0.l2.*, …,
// output.*, out_block.l1.*, out_block.l2.* — the order of the PyTorch module
// in testdata/make_fixtures.py. The slice is shared; do not modify it.
func (n *Net) Params() []*nn.Param { return n.params }

// Param returns the parameter called name.
func (n *Net) Param(name string) (*nn.Param, bool) {
	p, ok := n.byName[name]
	return p, ok
}

// SetParam copies data into the parameter called name. It returns
// nn.ErrUnknownParam (wrapped) for an unknown name and a *ShapeError when
// len(data) does not match the parameter's shape.
func (n *Net) SetParam(name string, data []float32) error {
	p, ok := n.byName[name]
	if !ok {
		return fmt.Errorf("%w %q", nn.ErrUnknownParam, name)
	}
	if len(data) != len(p.Data) {
		return &nn.ShapeError{Name: name, Shape: p.Shape, Len: len(data), Want: len(p.Data)}
	}
	copy(p.Data, data)
	return nil
}

// EventSize returns F, the values per window.
func (n *Net) EventSize() int { return n.Cfg.Features }

// EventShape returns [F]: a window is a flat vector of F values.
func (n *Net) EventShape() []int { return []int{n.Cfg.Features} }

// Share returns a network that shares n's parameters (and their
// gradients) but has its own inference workspace, for another goroutine.
func (n *Net) Share() nets.Model { return n.share() }

func (n *Net) share() *Net {
	m := *n
	m.ws = new(workspace)
	return &m
}

// Forward records ε_φ(x, t) on tp for x (rows, F) and t (rows); the result
// is (rows, F).
func (n *Net) Forward(tp *nn.Tape, x, t *nn.Tensor) *nn.Tensor {
	f := tp.TimeFeatures(t, n.Cfg.Freqs)
	e := tp.Linear(n.Embed2, tp.LinearSiLU(n.Embed1, f))
	h := tp.LinearCat(n.Input, x, e)
	for _, b := range n.Blocks {
		h = b.Forward(tp, h)
	}
	return n.OutBlock.Forward(tp, tp.Linear(n.Output, h))
}

// Loss records the denoising loss of a batch on tp and returns it (shape
// (1)): xt and eps are (rows, F), t is (rows).
func (n *Net) Loss(tp *nn.Tape, xt, t, eps []float32, rows int) *nn.Tensor {
	f := n.Cfg.Features
	checkRows("Loss", rows, f, xt, eps)
	checkRows("Loss", rows, 1, t)
	pred := n.Forward(tp, tp.Const(xt, rows, f), tp.Const(t, rows))
	return tp.MSE(pred, tp.Const(eps, rows, f))
}
