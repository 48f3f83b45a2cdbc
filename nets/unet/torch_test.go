package unet

import (
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sdapipe/nn"
	"sdapipe/nn/nntest"
)

// The fixture testdata/small.npz was made by testdata/make_fixtures.py
// (torch 1.13.1 as Debian packages it: cd testdata && /usr/bin/python3
// make_fixtures.py) from the PyTorch form of the network; see the script
// for its contents and for the formula that sets the parameters.

// fixtureConfig is the script's network.
func fixtureConfig() Config {
	return Config{Widths: []int{4, 8, 16}, Blocks: 2, Embed: 8, EmbedHidden: 16,
		Channels: 10, ForcingWavenumber: 4, H: 16, W: 8}
}

// Tolerances against torch. Both sides compute in float32 but sum in
// different orders (oneDNN's convolutions against ours), so O(1) values
// differ by a few 1e-7 per layer; ~40 layers with channel layer norms over
// 4..16 channels amplify that: the largest differences seen are 1.5e-6
// (outputs) and 1.1e-6 (gradients). Values are O(1), so the absolute
// bound dominates.
const torchAbs, torchRel = 1e-5, 1e-4

// formulaParams sets parameter k's value i to s_k·sin(0.37·i + 0.71·k +
// 0.5), as make_fixtures.py does.
func formulaParams(n *Net) {
	for k, p := range n.Params() {
		s := 0.1
		if len(p.Shape) > 1 {
			s = 1 / math.Sqrt(float64(len(p.Data)/p.Shape[0]))
		}
		for i := range p.Data {
			p.Data[i] = float32(s * math.Sin(0.37*float64(i)+0.71*float64(k)+0.5))
		}
	}
}

func loadFixture(t *testing.T) (*Net, map[string]nntest.Array) {
	t.Helper()
	z := nntest.ReadNPZ(t, "testdata/small.npz")
	n, err := New(fixtureConfig(), rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	formulaParams(n)
	// The state_dict names are ours, in both directions.
	var torchNames []string
	for k := range z {
		if name, ok := strings.CutPrefix(k, "grad:"); ok {
			torchNames = append(torchNames, name)
		}
	}
	ours := make([]string, 0, len(n.Params()))
	for _, p := range n.Params() {
		ours = append(ours, p.Name)
		if a, ok := z["grad:"+p.Name]; !ok || len(a.Data) != len(p.Data) || len(a.Shape) != len(p.Shape) {
			t.Fatalf("parameter %s %v has no torch counterpart of its shape", p.Name, p.Shape)
		}
	}
	slices.Sort(torchNames)
	slices.Sort(ours)
	if !slices.Equal(torchNames, ours) {
		t.Fatalf("torch parameters %v\nours %v", torchNames, ours)
	}
	return n, z
}

func torchCompare(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !nntest.Near(float64(got[i]), float64(want[i]), torchAbs, torchRel) {
			t.Fatalf("%s[%d] = %.8g, torch %.8g", what, i, got[i], want[i])
		}
	}
}

func TestTorchForward(t *testing.T) {
	t.Parallel()
	n, z := loadFixture(t)
	x, ts, t0 := z["x"].Data, z["t"].Data, z["t0"].Data[0]
	rows := len(ts)
	got := make([]float32, len(x))
	n.EpsRows(got, x, ts, rows)
	torchCompare(t, "EpsRows", got, z["eps_rows"].Data)
	n.Eps(got, x, rows, t0)
	torchCompare(t, "Eps", got, z["eps_t0"].Data)
	tape, _, _, _ := tapeEps(n, x, ts, rows)
	torchCompare(t, "tape Forward", tape, z["eps_rows"].Data)
}

func TestTorchInputVJP(t *testing.T) {
	t.Parallel()
	n, z := loadFixture(t)
	x, w, t0 := z["x"].Data, z["w"].Data, z["t0"].Data[0]
	rows := len(z["t"].Data)
	eps, grad := make([]float32, len(x)), make([]float32, len(x))
	calls := 0
	n.EpsVJP(eps, grad, x, rows, t0, func(e, dst []float32) {
		calls++
		torchCompare(t, "eps seen by cot", e, z["eps_t0"].Data)
		copy(dst, w)
	})
	if calls != 1 {
		t.Fatalf("cot called %d times, want 1", calls)
	}
	torchCompare(t, "EpsVJP eps", eps, z["eps_t0"].Data)
	torchCompare(t, "EpsVJP grad", grad, z["grad_t0"].Data)
}

func TestTorchTrainingGradients(t *testing.T) {
	t.Parallel()
	n, z := loadFixture(t)
	x, ts, eps := z["x"].Data, z["t"].Data, z["eps"].Data
	tp := nn.NewTape()
	loss := n.Loss(tp, x, ts, eps, len(ts))
	torchCompare(t, "loss", loss.Data, z["loss"].Data)
	nn.ZeroGrads(n.Params())
	tp.Backward(loss)
	for _, p := range n.Params() {
		torchCompare(t, "grad "+p.Name, p.Grad, z["grad:"+p.Name].Data)
	}
}

func TestTorchAdamWStep(t *testing.T) {
	t.Parallel()
	// One training step (lr 1e-2, weight decay 0.1) with torch's AdamW.
	// The first update is lr·g/(|g| + ε), ε = 1e-8, so an error δ in a
	// gradient g moves the weight by lr·ε·δ/(|g| + ε)²: nothing for O(1e-3)
	// gradients, up to ~lr where |g| ~ 1e-7 results from cancelling sums
	// (a few of the 30K). δ = 4e-8 + 1e-3·|g| bounds the gradient errors
	// seen in TestTorchTrainingGradients (up to 2e-8 where |g| < 1e-5,
	// where the Winograd convolutions' sums cancel); 2e-6 covers the
	// float32 rounding of the update itself.
	n, z := loadFixture(t)
	tr := nn.NewTrainer(n, 1e-2, 0.1)
	x, ts, eps := z["x"].Data, z["t"].Data, z["eps"].Data
	loss, err := tr.Step(x, ts, eps, len(ts), 1e-2)
	if err != nil {
		t.Fatal(err)
	}
	if want := float64(z["loss"].Data[0]); !nntest.Near(loss, want, torchAbs, torchRel) {
		t.Errorf("loss %g, torch %g", loss, want)
	}
	for _, p := range n.Params() {
		g := z["grad:"+p.Name].Data
		for i, v := range p.Data {
			want := z["adamw:"+p.Name].Data[i]
			ag := math.Abs(float64(g[i]))
			tol := 2e-6 + 1e-2*min(1, 1e-8*(4e-8+1e-3*ag)/((ag+1e-8)*(ag+1e-8)))
			if math.Abs(float64(v)-float64(want)) > tol {
				t.Fatalf("after one step %s[%d] = %.8g, torch %.8g (gradient %g)", p.Name, i, v, want, g[i])
			}
		}
	}
}

// TestFixtureScript reruns testdata/make_fixtures.py and compares what it
// writes with the committed fixture, so the fixture stays what the
// committed script makes. It needs Debian's python3-torch.
func TestFixtureScript(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the PyTorch run in -short mode")
	}
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		python = "python3"
	}
	if exec.Command(python, "-c", "import torch, numpy").Run() != nil {
		t.Skip("skipping: no python3 with torch and numpy (Debian: apt-get install python3-torch python3-numpy)")
	}
	script, err := filepath.Abs("testdata/make_fixtures.py")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(python, script)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make_fixtures.py: %v\n%s", err, out)
	}
	fresh := nntest.ReadNPZ(t, filepath.Join(dir, "small.npz"))
	committed := nntest.ReadNPZ(t, "testdata/small.npz")
	if len(fresh) != len(committed) {
		t.Fatalf("the script writes %d arrays, the fixture has %d", len(fresh), len(committed))
	}
	for k, a := range committed {
		// Another CPU may take other oneDNN kernels: float32 rounding.
		torchCompare(t, k, fresh[k].Data, a.Data)
	}
}
