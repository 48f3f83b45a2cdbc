package stages_test

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"sdapipe/artifacts"
	"sdapipe/dynamics"
	"sdapipe/nets"
	"sdapipe/nn"
	"sdapipe/pipeline"
	"sdapipe/settings"
	"sdapipe/stage"
	"sdapipe/stages"
)

// The redesign's proof: a test-only system whose states are fields of
// shape [2, 8, 8] and a test-only network that is not the residual MLP go
// through simulate → train → observe → sample with the real stage kinds,
// so nothing between the stages assumes a flat state or the MLP.

var fieldShape = []int{2, 8, 8}

// fieldSystem is a stochastic field: each state is the previous one rolled
// by one pixel along the last axis, damped, plus Gaussian noise. It has no
// transition density the stages know of (Chain is nil).
type fieldSystem struct{ damp float64 }

func (fieldSystem) StateShape() []int { return fieldShape }
func (fieldSystem) Standardization() dynamics.Standardization {
	return dynamics.Identity(fieldShape[0], fieldShape[1]*fieldShape[2])
}
func (fieldSystem) Chain() dynamics.System { return nil }

func (f fieldSystem) Simulate(ctx context.Context, n, burnIn, length int, seed uint64, done func()) ([]float32, error) {
	c, h, w := fieldShape[0], fieldShape[1], fieldShape[2]
	d := c * h * w
	out := make([]float32, n*length*d)
	x, y := make([]float64, d), make([]float64, d)
	for i := range n {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		for k := range x {
			x[k] = rng.NormFloat64()
		}
		for s := range burnIn + length {
			for k := range x {
				col := k % w
				y[k] = f.damp*x[k-col+(col+w-1)%w] + 0.5*rng.NormFloat64()
			}
			x, y = y, x
			if s >= burnIn {
				for k, v := range x {
					out[(i*length+s-burnIn)*d+k] = float32(v)
				}
			}
		}
	}
	return out, ctx.Err()
}

var fieldKind = &stages.SystemKind{
	Name:     "field8",
	Doc:      "a rolled, damped, noisy 2×8×8 field (test only)",
	Settings: []stage.ParamSpec{{Name: "damp", Type: stage.Float, Default: 0.8, Doc: "damping per step"}},
	Build: func(p *stage.Params) (stages.System, error) {
		return fieldSystem{damp: p.Float("damp")}, nil
	},
}

// flatNet is a convolution-free test network over whole window events:
// ε = L2(silu(L1([x, feats(t)]))).
type flatNet struct {
	shape  []int
	l1, l2 *nn.Linear
	params []*nn.Param
	nf     int
}

func newFlatNet(w nets.Window, hidden int, rng *rand.Rand) *flatNet {
	shape := append([]int{w.States * w.State[0]}, w.State[1:]...)
	f := w.Size()
	n := &flatNet{shape: shape, l1: nn.NewLinear("l1", f+8, hidden), l2: nn.NewLinear("l2", hidden, f), nf: 4}
	for _, l := range []*nn.Linear{n.l1, n.l2} {
		if rng != nil {
			l.Init(rng)
		}
		n.params = append(n.params, l.W, l.B)
	}
	return n
}

func (n *flatNet) EventShape() []int   { return n.shape }
func (n *flatNet) Params() []*nn.Param { return n.params }
func (n *flatNet) Share() nets.Model   { return n }
func (n *flatNet) size() int           { return nets.EventSize(n) }
func (n *flatNet) times(t float32, k int) []float32 {
	ts := make([]float32, k)
	for i := range ts {
		ts[i] = t
	}
	return ts
}

func (n *flatNet) forward(tp *nn.Tape, x *nn.Tensor, t []float32, rows int) *nn.Tensor {
	e := tp.TimeFeatures(tp.Const(t, rows), n.nf)
	return tp.Linear(n.l2, tp.SiLU(tp.LinearCat(n.l1, x, e)))
}

func (n *flatNet) Loss(tp *nn.Tape, xt, t, eps []float32, rows int) *nn.Tensor {
	return tp.MSE(n.forward(tp, tp.Const(xt, rows, n.size()), t, rows), tp.Const(eps, rows, n.size()))
}

func (n *flatNet) EpsRows(dst, x, t []float32, rows int) {
	if rows == 0 {
		return
	}
	tp := nn.NewTape()
	copy(dst, n.forward(tp, tp.Const(x, rows, n.size()), t, rows).Data)
}

func (n *flatNet) Eps(dst, x []float32, rows int, t float32) {
	n.EpsRows(dst, x, n.times(t, rows), rows)
}

func (n *flatNet) EpsVJP(eps, grad, x []float32, rows int, t float32, cot func(eps, w []float32)) {
	tp := nn.NewTape()
	in := tp.Var(x, rows, n.size())
	out := n.forward(tp, in, n.times(t, rows), rows)
	copy(eps, out.Data)
	w := make([]float32, len(eps))
	cot(eps, w)
	tp.BackwardWith(out, w)
	copy(grad, in.Grad)
}

// fieldCatalog adds the test system and network to sdapipe's own; built
// records the window each flat network was built for.
func fieldCatalog(built *[]nets.Window) *stages.Catalog {
	c := stages.DefaultCatalog()
	c.Systems = append(c.Systems, fieldKind)
	arch := &nets.Arch{
		Name:     "flat",
		Doc:      "a convolution-free test network",
		Settings: []settings.Spec{{Name: "hidden", Default: int64(16), Doc: "hidden width"}},
		New: func(w nets.Window, v settings.Values, rng *rand.Rand) (nets.Model, any, error) {
			*built = append(*built, w)
			return newFlatNet(w, v.Int("hidden"), rng), map[string]int{"hidden": v.Int("hidden")}, nil
		},
		Load: func(w nets.Window, raw json.RawMessage) (nets.Model, error) {
			var cfg struct{ Hidden int }
			if err := json.Unmarshal(raw, &cfg); err != nil {
				return nil, err
			}
			return newFlatNet(w, cfg.Hidden, nil), nil
		},
	}
	archs := []*nets.Arch{arch}
	for _, n := range c.Archs.Names() {
		a, _ := c.Archs.Lookup(n)
		archs = append(archs, a)
	}
	c.Archs = nets.NewRegistry(archs...)
	return c
}

const fieldStudy = `
seed = 5
simulate "field" {
  system       = "field8"
  trajectories = 20
  burn_in      = 4
  length       = 16
  field8 {
    damp = 0.7
  }
}
train "f" {
  data          = simulate.field
  window        = 3
  network       = "flat"
  batch         = 16
  steps         = 30
  valid_every   = 10
  valid_windows = 16
  check_samples = 8
  check_steps   = 4
  flat {
    hidden = 24
  }
}
observe "o" {
  data      = simulate.field
  length    = 6
  count     = 2
  variables = [0, 70, 127]
  every     = 2
  noise     = 0.1
}
sample "s" {
  model        = train.f
  observations = observe.o
  samples      = 3
  steps        = 8
  corrections  = 1
}
observe "c" {
  data   = simulate.field
  length = 6
  count  = 2
  noise  = 0.1
  op "every" {
    n = 2
  }
  op "coarsen" {
    factor = 2
  }
  op "vorticity" {}
}
sample "c" {
  model        = train.f
  observations = observe.c
  samples      = 2
  steps        = 8
  guidance     = "mmps"
}
`

func TestFieldStatesThroughTheStages(t *testing.T) {
	var built []nets.Window
	reg := stage.NewRegistry(stages.Kinds(fieldCatalog(&built))...)
	dir := t.TempDir()
	cfg, diags := pipeline.Load(reg, "field.hcl", dir, []byte(fieldStudy), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg.Workspace = filepath.Join(dir, "ws")
	ws, err := pipeline.OpenWorkspace(cfg.Workspace)
	if err != nil {
		t.Fatal(err)
	}
	run := func() []*pipeline.Result {
		res, err := (&pipeline.Runner{Config: cfg, WS: ws, Jobs: 1}).Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	run()
	if len(built) != 1 || built[0].States != 3 || !slices.Equal(built[0].State, fieldShape) {
		t.Fatalf("the network was built for %+v, want 3 states of shape %v", built, fieldShape)
	}
	shapes := map[string][]int{
		"simulate.field.train":   {16, 16, 2, 8, 8},
		"simulate.field.test":    {2, 16, 2, 8, 8},
		"observe.o.truth":        {2, 6, 2, 8, 8},
		"observe.o.observations": {2, 9},
		"sample.s.posterior":     {2, 3, 6, 2, 8, 8},
		"observe.c.observations": {2, 3 * 4 * 4},
		"sample.c.posterior":     {2, 2, 6, 2, 8, 8},
	}
	for name, want := range shapes {
		addr, out := name[:len(name)-len(filepath.Ext(name))], filepath.Ext(name)[1:]
		rec, err := ws.Latest(addr)
		if err != nil || rec == nil {
			t.Fatalf("%s: no record: %v", addr, err)
		}
		o, _ := rec.Output(out)
		a, err := artifacts.ReadNPYFile(ws.OutPath(addr, o))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Shape, want) {
			t.Errorf("%s has shape %v, want %v", name, a.Shape, want)
		}
		x, _ := a.Float32()
		for _, v := range x {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("%s holds %v", name, v)
			}
		}
	}
	rec, _ := ws.Latest("train.f")
	o, _ := rec.Output("network")
	b, err := os.ReadFile(ws.OutPath("train.f", o))
	if err != nil {
		t.Fatal(err)
	}
	var net map[string]any
	if err := json.Unmarshal(b, &net); err != nil {
		t.Fatal(err)
	}
	if net["architecture"] != "flat" || net["hidden"] != 24.0 || net["state_dim"] != 128.0 {
		t.Errorf("network.json = %s", b)
	}
	// A second run finds everything cached: the shapes and the test
	// network's configuration round-trip through the records.
	for _, r := range run() {
		if r.Outcome != pipeline.Cached {
			t.Errorf("%s: %s on the second run (%v)", r.Addr, r.Outcome, r.Reasons)
		}
	}
}
