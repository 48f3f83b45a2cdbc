package unet

import (
	"fmt"
	"math"
	"math/rand/v2"

	"sdapipe/nets"
	"sdapipe/nn"
)

// A block is the modulated residual block of docs/method.md §2.7 at C
// channels: h ← h + R(h + P(e)), R = LN_channels → Conv → SiLU → Conv,
// P = Linear(E → C) broadcast over pixels.
type block struct {
	proj   *nn.Linear // .proj
	c1, c2 *nn.Conv2D // .r.1, .r.3
}

func newBlock(name string, c, e int) block {
	return block{
		proj: nn.NewLinear(name+".proj", e, c),
		c1:   nn.NewConv2D(name+".r.1", c, c, 1),
		c2:   nn.NewConv2D(name+".r.3", c, c, 1),
	}
}

// Net is the Kolmogorov local score network ε_φ(x, t) of docs/method.md
// §2.7, a U-Net over windows of Channels state channels on H×W fields,
// with the layers and parameter names of the PyTorch module UNet (see the
// package comment).
//
// Its inference methods keep scratch space and are not safe for
// concurrent use; Share gives another goroutine its own. Loss may be
// called concurrently on distinct tapes.
type Net struct {
	cfg            Config
	embed1, embed2 *nn.Linear   // embed.net.0, embed.net.2
	heads          []*nn.Conv2D // heads.i
	down, up       [][]block    // down.i.j; up.j.k runs level L−1−j
	tails          []*nn.Conv2D // tails.j.1: level L−1−j to L−2−j
	final          *nn.Conv2D
	forcing        []float32 // H·W values of the forcing channel, or nil
	params         []*nn.Param
	shape          []int
	eng            *engine
}

// New builds a network and initialises it as PyTorch would (Kaiming-
// uniform with a = √5 for every weight, U(±1/√fan_in) for every bias,
// docs/method.md §2.4), layer by layer in parameter order, from rng.
func New(cfg Config, rng *rand.Rand) (*Net, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Widths = append([]int(nil), cfg.Widths...)
	n := &Net{cfg: cfg, shape: []int{cfg.Channels, cfg.H, cfg.W}}
	e := cfg.Embed
	n.embed1 = nn.NewLinear("embed.net.0", 2*freqs, cfg.EmbedHidden)
	n.embed2 = nn.NewLinear("embed.net.2", cfg.EmbedHidden, e)
	prev := cfg.inChannels()
	for i, w := range cfg.Widths {
		n.heads = append(n.heads, nn.NewConv2D(fmt.Sprintf("heads.%d", i), prev, w, min(i, 1)+1))
		n.down = append(n.down, blocks(fmt.Sprintf("down.%d", i), cfg.Blocks, w, e))
		prev = w
	}
	for j := range cfg.Widths {
		i := len(cfg.Widths) - 1 - j
		n.up = append(n.up, blocks(fmt.Sprintf("up.%d", j), cfg.Blocks, cfg.Widths[i], e))
		if i > 0 {
			n.tails = append(n.tails, nn.NewConv2D(fmt.Sprintf("tails.%d.1", j), cfg.Widths[i], cfg.Widths[i-1], 1))
		}
	}
	n.final = nn.NewConv2D("final", cfg.Widths[0], cfg.Channels, 1)
	n.visit(func(l *nn.Linear) {
		l.Init(rng)
		n.params = append(n.params, l.W, l.B)
	}, func(c *nn.Conv2D) {
		c.Init(rng)
		n.params = append(n.params, c.W, c.B)
	})
	if k := cfg.ForcingWavenumber; k > 0 {
		n.forcing = make([]float32, cfg.H*cfg.W)
		for j := range cfg.W {
			y := 2 * math.Pi * (float64(j) + 0.5) / float64(cfg.W)
			for i := range cfg.H {
				n.forcing[i*cfg.W+j] = float32(math.Sin(float64(k) * y))
			}
		}
	}
	n.eng = newEngine(n)
	return n, nil
}

func blocks(name string, k, c, e int) []block {
	bs := make([]block, k)
	for j := range bs {
		bs[j] = newBlock(fmt.Sprintf("%s.%d", name, j), c, e)
	}
	return bs
}

// visit calls lin or cv for every layer in parameter order: the order of
// the PyTorch module's state_dict.
func (n *Net) visit(lin func(*nn.Linear), cv func(*nn.Conv2D)) {
	lin(n.embed1)
	lin(n.embed2)
	for _, h := range n.heads {
		cv(h)
	}
	for _, lv := range [][][]block{n.down, n.up} {
		for _, bs := range lv {
			for _, b := range bs {
				lin(b.proj)
				cv(b.c1)
				cv(b.c2)
			}
		}
	}
	for _, t := range n.tails {
		cv(t)
	}
	cv(n.final)
}

// Config returns the network's configuration.
func (n *Net) Config() Config {
	c := n.cfg
	c.Widths = append([]int(nil), c.Widths...)
	return c
}

// EventShape returns [Channels, H, W]: one window, channel-major as in
// PyTorch (the forcing channel is added inside). The slice is shared.
func (n *Net) EventShape() []int { return n.shape }

// Params returns the parameters in the order of the PyTorch module's
// state_dict: embed.net.0.weight, embed.net.0.bias, embed.net.2.*,
// heads.i.*, down.i.j.{proj, r.1, r.3}.*, up.j.k.*, tails.j.1.*, final.*.
// The slice is shared.
func (n *Net) Params() []*nn.Param { return n.params }

// Share returns a network that shares n's parameters (and their
// gradients) but has its own inference scratch space.
func (n *Net) Share() nets.Model {
	m := *n
	m.eng = newEngine(&m)
	return &m
}

// microBatch is the most windows a training tape holds at once (see
// nn.MicroBatcher): about 40 MiB of activations and gradients per window
// at widths (64, 128, 256).
const microBatch = 4

// MicroBatch returns the training micro-batch size, for nn.Trainer.
func (n *Net) MicroBatch() int { return microBatch }
