package stages_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"sdapipe/artifacts"
	"sdapipe/dynamics"
	"sdapipe/metrics"
	"sdapipe/nets/resmlp"
	"sdapipe/nn/gemm"
	"sdapipe/observe"
	"sdapipe/pipeline"
	"sdapipe/stage"
	"sdapipe/stages"
)

// tinyStudy is the default study shrunk to run in well under a minute: a
// smaller network trained briefly, two observation sets, 32 samples.
const tinyStudy = `
seed = 11
simulate "lorenz" {
  trajectories = 256
  burn_in      = 256
  length       = 256
}
train "k2" {
  data          = simulate.lorenz
  window        = 5
  steps         = 2500
  lr            = 2e-3
  valid_every   = 500
  valid_windows = 1024
  check_samples = 256

  resmlp {
    width = 128
    depth = 3
  }
}
observe "lo" {
  data  = simulate.lorenz
  count = 2
  every = 8
  noise = 0.05
}
filter "lo" {
  observations = observe.lo
  particles    = 4096
  keep         = 256
}
sample "lo_c0" {
  model        = train.k2
  observations = observe.lo
  samples      = 32
  steps        = 128
  corrections  = 0
}
sample "lo_c1" {
  model        = train.k2
  observations = observe.lo
  samples      = 32
  steps        = 128
  corrections  = 1
}
sample "lo_m1" {
  model        = train.k2
  observations = observe.lo
  samples      = 32
  steps        = 128
  corrections  = 1
  guidance     = "mmps"
}
assimilate "lo_enks" {
  observations = observe.lo
  members      = 32
}
assimilate "lo_4dvar" {
  observations = observe.lo
  method       = "var4d"
  members      = 32
  var4d {
    climatology = 20000
  }
}
observe "modes" {
  data      = simulate.lorenz
  length    = 49
  count     = 1
  variables = [2]
  every     = 4
  noise     = 0.1
}
sample "modes" {
  model        = train.k2
  observations = observe.modes
  samples      = 8
  steps        = 64
  corrections  = 2
  tau          = 0.5
}
modes "demo" {
  observations = observe.modes
  starts       = sample.modes
}
evaluate "lo" {
  observations = observe.lo
  reference    = filter.lo
  posteriors   = [sample.lo_c0, sample.lo_c1, sample.lo_m1, assimilate.lo_enks, assimilate.lo_4dvar]
}
`

type study struct {
	cfg *pipeline.Config
	ws  *pipeline.Workspace
	err error
}

var (
	studyOnce sync.Once
	theStudy  study
)

// studyDir is the tiny study's directory, removed by TestMain when every
// test that shares it has run.
var studyDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if studyDir != "" {
		os.RemoveAll(studyDir)
	}
	os.Exit(code)
}

// runStudy runs tinyStudy once per test binary and shares the workspace.
func runStudy(t *testing.T) study {
	t.Helper()
	if testing.Short() {
		t.Skip("slow: trains a network; skipped in -short")
	}
	studyOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sdapipe-study-")
		studyDir = dir
		if err != nil {
			theStudy.err = err
			return
		}
		cfg, diags := pipeline.Load(stages.Default(), "tiny.hcl", dir, []byte(tinyStudy), nil)
		if diags.HasErrors() {
			theStudy.err = diags
			return
		}
		cfg.Workspace = filepath.Join(dir, "ws")
		ws, err := pipeline.OpenWorkspace(cfg.Workspace)
		if err != nil {
			theStudy.err = err
			return
		}
		_, err = (&pipeline.Runner{Config: cfg, WS: ws, Jobs: 1}).Run(context.Background(), nil)
		theStudy = study{cfg, ws, err}
	})
	if theStudy.err != nil {
		t.Fatalf("tiny study: %v", theStudy.err)
	}
	return theStudy
}

func (s study) array(t *testing.T, addr, output string) artifacts.Array {
	t.Helper()
	rec, err := s.ws.Latest(addr)
	if err != nil || rec == nil {
		t.Fatalf("no record of %s: %v", addr, err)
	}
	o, ok := rec.Output(output)
	if !ok {
		t.Fatalf("%s has no output %s", addr, output)
	}
	a, err := artifacts.ReadNPYFile(s.ws.OutPath(addr, o))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func f64(a artifacts.Array) []float64 {
	x, _ := a.Float32()
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// TestGuidedPosteriorOnTrainedModel is issue 5's check on a trained
// Lorenz model: the residuals of guided samples at the observed states are
// consistent with σ_y, and one Langevin correction improves on none in
// both the expected log-likelihood and the expected log-prior.
//
// "Improves" for the log-likelihood means "comes closer to the particle
// filter's": without corrections, guidance with γ = 1e-2 over-fits the
// observations (E[log p(y|x)] above the true posterior's, residuals well
// below σ_y), so a higher value is not a better posterior there.
func TestGuidedPosteriorOnTrainedModel(t *testing.T) {
	s := runStudy(t)
	sys := dynamics.NewLorenz63()
	y := f64(s.array(t, "observe.lo", "observations"))
	times, _ := observe.Every(0, 8, 65)
	op, err := observe.NewSelect(65, 3, []int{0}, times)
	if err != nil {
		t.Fatal(err)
	}
	const noise = 0.05
	type score struct{ logLik, logPrior, resid float64 }
	scores := map[string]score{}
	for _, addr := range []string{"filter.lo", "sample.lo_c0", "sample.lo_c1", "sample.lo_m1"} {
		output := "posterior"
		if addr == "filter.lo" {
			output = "reference"
		}
		post := s.array(t, addr, output)
		nObs, n := post.Shape[0], post.Shape[1]
		x := f64(post)
		ev := 65 * 3
		std, ax := make([]float64, ev), make([]float64, 9)
		var sc score
		var ss float64
		for o := range nObs {
			xs := x[o*n*ev : (o+1)*n*ev]
			yo := y[o*9 : (o+1)*9]
			sc.logPrior += metrics.ExpectedLogPrior(sys, xs, 65) / float64(nObs)
			sc.logLik += metrics.ExpectedLogLik(xs, ev, func(xi []float64) float64 {
				sys.Standardize(std, xi)
				op.Apply64(ax, std)
				for k := range ax {
					ss += (ax[k] - yo[k]) * (ax[k] - yo[k])
				}
				return observe.GaussianLogLik(yo, ax, noise)
			}) / float64(nObs)
		}
		sc.resid = math.Sqrt(ss / float64(nObs*n*9))
		scores[addr] = sc
		t.Logf("%s: E[log p(y|x)] %.2f, E[log p(x)] %.1f, residual rms %.4f (σ_y %.2f)", addr, sc.logLik, sc.logPrior, sc.resid, noise)
	}
	bpf, c0, c1 := scores["filter.lo"], scores["sample.lo_c0"], scores["sample.lo_c1"]
	if !(math.Abs(c1.logLik-bpf.logLik) < math.Abs(c0.logLik-bpf.logLik)) {
		t.Errorf("C = 1 log-likelihood %.2f is no closer to the filter's %.2f than C = 0's %.2f", c1.logLik, bpf.logLik, c0.logLik)
	}
	if !(c1.logPrior > c0.logPrior) {
		t.Errorf("C = 1 log-prior %.1f does not improve on C = 0's %.1f", c1.logPrior, c0.logPrior)
	}
	// A posterior sample's residual y - A(x) has variance σ_y² minus the
	// posterior variance of A(x), so its rms lies below σ_y but well above
	// 0 unless guidance overfits the noise; 2σ_y bounds a loose fit.
	if r := c1.resid; !(r > 0.2*noise && r < 2*noise) {
		t.Errorf("C = 1 residual rms %.4f is not consistent with σ_y = %.2f", r, noise)
	}
	// MMPS (one GMRES iteration) on this briefly trained network: a prior
	// far better than unguided-by-corrections C = 0 and residuals of the
	// order of σ_y (measured −2043 against −14857, and 0.086: MMPS's
	// Tweedie covariance from a small network guides more loosely than
	// γ = 1e-2 does; the default study's networks are the real test).
	m1 := scores["sample.lo_m1"]
	if !(m1.logPrior > 0.5*c0.logPrior) || !(m1.resid > 0.2*noise && m1.resid < 3*noise) {
		t.Errorf("MMPS C = 1: log-prior %.1f (C = 0 Gaussian %.1f), residual rms %.4f (σ_y %.2f)", m1.logPrior, c0.logPrior, m1.resid, noise)
	}
}

// TestClassicalBaselines: the EnKS and 4D-Var rows of the tiny study.
// Both assimilate the same observation sets as SDA; on Lorenz "lo" they
// come close to the particle filter (the smoother in W1, both in the
// observation fit), far closer than SDA without corrections.
func TestClassicalBaselines(t *testing.T) {
	s := runStudy(t)
	rec, err := s.ws.Latest("evaluate.lo")
	if err != nil || rec == nil {
		t.Fatal(err)
	}
	o, _ := rec.Output("summary")
	b, err := os.ReadFile(s.ws.OutPath("evaluate.lo", o))
	if err != nil {
		t.Fatal(err)
	}
	var summary []stages.StageSummary
	if err := json.Unmarshal(b, &summary); err != nil {
		t.Fatal(err)
	}
	med := map[string]map[string]float64{}
	for _, st := range summary {
		med[st.Stage] = map[string]float64{}
		for k, v := range st.Medians {
			med[st.Stage][k] = float64(v)
		}
		t.Logf("%-22s %-9s lp %9.1f ll %6.2f w1 %6.2f", st.Stage, st.Role, med[st.Stage]["log_prior"], med[st.Stage]["log_lik"], med[st.Stage]["w1"])
		if strings.HasPrefix(st.Stage, "assimilate.") && (st.Role != "baseline" || st.Method == "") {
			t.Errorf("%s has role %q, method %q", st.Stage, st.Role, st.Method)
		}
	}
	filter, c0 := med["filter.lo"], med["sample.lo_c0"]
	for _, addr := range []string{"assimilate.lo_enks", "assimilate.lo_4dvar"} {
		m := med[addr]
		if !(math.Abs(m["log_lik"]-filter["log_lik"]) < 3) || !(m["w1"] < c0["w1"]) {
			t.Errorf("%s: log-likelihood %.2f (filter %.2f), W1 %.2f (SDA C = 0: %.2f)", addr, m["log_lik"], filter["log_lik"], m["w1"], c0["w1"])
		}
	}
}

// TestModes: the mode search from SDA samples ends at optima that explain
// the observations (residual rms at the observed states below 3σ_y: a
// 4D-Var optimum trades the fit against the dynamics) and merges them into
// at least one and at most as many modes as starts.
func TestModes(t *testing.T) {
	s := runStudy(t)
	rec, err := s.ws.Latest("modes.demo")
	if err != nil || rec == nil {
		t.Fatal(err)
	}
	o, _ := rec.Output("summary")
	b, err := os.ReadFile(s.ws.OutPath("modes.demo", o))
	if err != nil {
		t.Fatal(err)
	}
	var sum stages.ModeSummary
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Modes) != 1 || len(sum.Modes[0]) < 1 || len(sum.Modes[0]) > 8 {
		t.Fatalf("modes %v", sum.Modes)
	}
	opt := f64(s.array(t, "modes.demo", "optima"))
	y := f64(s.array(t, "observe.modes", "observations"))
	sys := dynamics.NewLorenz63()
	for _, mi := range sum.Modes[0] {
		x := opt[mi*49*3 : (mi+1)*49*3]
		var ss float64
		for j := range 13 {
			r := (x[j*4*3+2]-sys.Mean[2])/sys.Scale[2] - y[j]
			ss += r * r
		}
		rms := math.Sqrt(ss / 13)
		t.Logf("mode %d: cost %.2f, residual rms %.3f (σ_y 0.1)", mi, sum.Costs[0][mi], rms)
		if !(rms < 0.3) {
			t.Errorf("mode %d misses the observations: residual rms %.3f", mi, rms)
		}
	}
}

// studyFiles lists every output of every stage of the study with its
// stable path and schema.
func studyFiles(t *testing.T, s study) []studyFile {
	t.Helper()
	var out []studyFile
	for _, addr := range s.cfg.Addrs() {
		rec, err := s.ws.Latest(addr)
		if err != nil || rec == nil {
			t.Fatalf("no record of %s: %v", addr, err)
		}
		for _, o := range rec.Outputs {
			out = append(out, studyFile{addr + "." + o.Name, s.ws.OutPath(addr, o), o})
		}
	}
	return out
}

type studyFile struct {
	name, path string
	out        stage.Output
}

// TestStudyInteropNumpy opens every NPY and NPZ output of the study with
// numpy and every JSON with Python's json module, and compares shapes and
// sums with what sdapipe's reader sees.
func TestStudyInteropNumpy(t *testing.T) {
	s := runStudy(t)
	python := numpyPython(t)
	var script strings.Builder
	script.WriteString("import json, sys, numpy as np\nout = {}\n")
	want := map[string]string{}
	for _, f := range studyFiles(t, s) {
		switch f.out.Format {
		case "npy":
			a, err := artifacts.ReadNPYFile(f.path)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&script, "a = np.load(%q)\nout[%q] = [list(a.shape), str(a.dtype), float(a.astype(np.float64).sum())]\n", f.path, f.name)
			want[f.name] = fmt.Sprintf("%v %s %.6g", a.Shape, a.DType, sum(a))
		case "npz":
			ms, err := artifacts.ReadNPZFile(f.path)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&script, "z = np.load(%q)\nout[%q] = [sorted(z.files), float(sum(z[k].astype(np.float64).sum() for k in z.files))]\n", f.path, f.name)
			var names []string
			var total float64
			for _, m := range ms {
				names = append(names, m.Name)
				total += sum(m.Array)
			}
			sort.Strings(names)
			want[f.name] = fmt.Sprintf("%v %.6g", names, total)
		case "json":
			fmt.Fprintf(&script, "json.load(open(%q))\n", f.path)
		}
	}
	script.WriteString("json.dump(out, sys.stdout)\n")
	cmd := exec.Command(python, "-c", script.String())
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, b)
	}
	var got map[string][]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for name, w := range want {
		g := got[name]
		var text string
		if len(g) == 3 {
			shape := []int{}
			for _, d := range g[0].([]any) {
				shape = append(shape, int(d.(float64)))
			}
			text = fmt.Sprintf("%v %s %.6g", shape, g[1], g[2])
		} else if len(g) == 2 {
			var names []string
			for _, n := range g[0].([]any) {
				names = append(names, n.(string))
			}
			text = fmt.Sprintf("%v %.6g", names, g[1])
		}
		if text != w {
			t.Errorf("%s: numpy sees %s, sdapipe %s", name, text, w)
		}
	}
	if len(want) < 10 {
		t.Errorf("only %d array outputs checked", len(want))
	}
}

func sum(a artifacts.Array) float64 {
	var s float64
	switch d := a.Data.(type) {
	case []float32:
		for _, v := range d {
			s += float64(v)
		}
	case []float64:
		for _, v := range d {
			s += v
		}
	}
	return s
}

// numpyPython returns a python3 that imports numpy, or skips the test.
func numpyPython(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import numpy").Run() == nil {
			return path
		}
	}
	t.Skip("skipping numpy interop: no python3 with numpy (Debian: apt-get install python3-numpy)")
	return ""
}

// TestStudyInteropArrow reads every Arrow output of the study with the
// JavaScript Arrow implementation and compares row counts, column names
// and values with sdapipe's reader.
func TestStudyInteropArrow(t *testing.T) {
	s := runStudy(t)
	root := os.Getenv("SDAPIPE_ARROW_JS")
	if root == "" {
		t.Skip("skipping Arrow interop: set SDAPIPE_ARROW_JS to an installed apache-arrow package (.ci/run does)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("skipping Arrow interop: node not found")
	}
	mod := root
	if _, err := os.Stat(filepath.Join(root, "node_modules", "apache-arrow")); err == nil {
		mod = filepath.Join(root, "node_modules", "apache-arrow")
	}
	n := 0
	for _, f := range studyFiles(t, s) {
		if f.out.Format != "arrow" {
			continue
		}
		n++
		tab, err := artifacts.ReadArrowFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := exec.Command("node", "../artifacts/testdata/arrow_js.cjs", mod, "read", f.path).Output()
		if err != nil {
			t.Fatalf("%s: node: %v", f.name, err)
		}
		var js struct {
			NumRows int `json:"numRows"`
			Fields  []struct {
				Name   string `json:"name"`
				Values []any  `json:"values"`
			} `json:"fields"`
		}
		if err := json.Unmarshal(b, &js); err != nil {
			t.Fatal(err)
		}
		if len(js.Fields) != len(tab.Columns) {
			t.Fatalf("%s: JS sees %d columns, sdapipe %d", f.name, len(js.Fields), len(tab.Columns))
		}
		for i, c := range tab.Columns {
			if js.Fields[i].Name != c.Name {
				t.Errorf("%s: column %d is %q in JS, %q in sdapipe", f.name, i, js.Fields[i].Name, c.Name)
			}
			if vals, ok := c.Data.([]float64); ok {
				if len(vals) != js.NumRows {
					t.Errorf("%s: %d rows in JS, %d in sdapipe", f.name, js.NumRows, len(vals))
				}
				for k, v := range vals {
					jv, isNum := js.Fields[i].Values[k].(float64)
					if isNum && jv != v || !isNum && !math.IsInf(v, 0) && !math.IsNaN(v) {
						t.Errorf("%s: %s[%d] is %v in JS, %v in sdapipe", f.name, c.Name, k, js.Fields[i].Values[k], v)
						break
					}
				}
			}
		}
	}
	if n < 2 {
		t.Errorf("only %d Arrow outputs checked", n)
	}
}

// goldenPlatform names what output bits depend on besides the code: the
// architecture (float rounding of fused operations) and the SGEMM kernel
// path (its summation order).
func goldenPlatform() string { return runtime.GOARCH + "/" + gemm.BestPath().String() }

// TestGoldenDigests guards each stage kind's Version: the tiny study's
// output digests are recorded per platform in testdata/golden.json. When a
// change moves a digest on purpose, the same commit bumps the Version of
// that stage kind (so caches never serve stale results) and reruns this
// test with -update.
func TestGoldenDigests(t *testing.T) {
	s := runStudy(t)
	const path = "testdata/golden.json"
	all := map[string]map[string]string{}
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &all); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]string{}
	for _, f := range studyFiles(t, s) {
		if f.out.Format == "png" {
			continue // fonts and the PNG encoder are not ours to pin
		}
		got[f.name] = f.out.Digest.String()
	}
	plat := goldenPlatform()
	if *update {
		all[plat] = got
		b, _ := json.MarshalIndent(all, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, ok := all[plat]
	if !ok {
		t.Skipf("no golden digests for platform %s; record them with go test ./stages -run Golden -update", plat)
	}
	for name, d := range want {
		if got[name] != d {
			t.Errorf("%s changed (%.12s -> %.12s): if its meaning changed on purpose, bump the Version of its stage kind and run go test ./stages -run Golden -update",
				name, d, got[name])
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s has no golden digest; run with -update", name)
		}
	}
}

// TestReadmeTorchSnippet runs the README's PyTorch module on the tiny
// study's trained weights and compares its output with the Go network's,
// so the snippet notebook users copy stays correct. It needs Debian's
// python3-torch and skips without it; .ci/run installs it, so CI runs it.
func TestReadmeTorchSnippet(t *testing.T) {
	s := runStudy(t)
	python := numpyPython(t)
	if exec.Command(python, "-c", "import torch").Run() != nil {
		t.Skip("skipping: no python3-torch (Debian: apt-get install python3-torch)")
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const begin = "```python\nimport json, numpy as np, torch, torch.nn as nn\n"
	i := strings.Index(string(readme), begin)
	if i < 0 {
		t.Fatal("README has no PyTorch snippet")
	}
	snippet := string(readme[i+len("```python\n"):])
	snippet = snippet[:strings.Index(snippet, "```")]
	rec, _ := s.ws.Latest("train.k2")
	o, _ := rec.Output("weights")
	dir := filepath.Dir(s.ws.OutPath("train.k2", o)) + "/"
	snippet = strings.Replace(snippet, `out = ".sdapipe/out/train.k2/"`, fmt.Sprintf("out = %q", dir), 1)

	// Fixed inputs: 7 windows of 15 standardised values at 7 times.
	rows, f := 7, 15
	x, ts := make([]float32, rows*f), make([]float32, rows)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)))
	}
	for r := range ts {
		ts[r] = float32(r+1) / 8
	}
	in := filepath.Join(t.TempDir(), "in.npz")
	fh, _ := os.Create(in)
	if err := artifacts.WriteNPZ(fh, []artifacts.NamedArray{
		{Name: "x", Array: artifacts.NewFloat32([]int{rows, f}, x)},
		{Name: "t", Array: artifacts.NewFloat32([]int{rows}, ts)},
	}); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	script := snippet + fmt.Sprintf(`
z = np.load(%q)
with torch.no_grad():
    eps = net(torch.from_numpy(z["x"]), torch.from_numpy(z["t"])).numpy()
print(json.dumps(eps.astype(float).ravel().tolist()))
`, in)
	out, err := exec.Command(python, "-c", script).Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var want []float64
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	net, err := loadTrained(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float32, rows*f)
	net.EpsRows(got, x, ts, rows)
	for i := range got {
		// float32 networks with different summation orders: agreement to a
		// few units in the 5th significant digit.
		if d := math.Abs(float64(got[i]) - want[i]); d > 1e-4+1e-4*math.Abs(want[i]) {
			t.Fatalf("output %d: Go %v, README torch module %v", i, got[i], want[i])
		}
	}
}

// loadTrained rebuilds a network from a train stage's out directory.
func loadTrained(dir string) (*resmlp.Net, error) {
	b, err := os.ReadFile(filepath.Join(dir, "network.json"))
	if err != nil {
		return nil, err
	}
	var cfg resmlp.Config
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, err
	}
	net, err := resmlp.NewNet(cfg, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil, err
	}
	ms, err := artifacts.ReadNPZFile(filepath.Join(dir, "weights.npz"))
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		w, err := m.Array.Float32()
		if err != nil {
			return nil, err
		}
		if err := net.SetParam(m.Name, w); err != nil {
			return nil, err
		}
	}
	return net, nil
}
