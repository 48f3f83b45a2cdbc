package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sdapipe/artifacts"
)

// setup loads testdata/valid/graph.hcl (with overrides) against a fresh
// or given workspace directory.
func setup(t *testing.T, dir string, sets ...string) (*Config, *Workspace) {
	t.Helper()
	cfg, diags := LoadFile(testKinds, "testdata/valid/graph.hcl", sets)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if dir == "" {
		dir = t.TempDir()
	}
	cfg.Workspace = dir
	ws, err := OpenWorkspace(dir)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, ws
}

func runStages(t *testing.T, cfg *Config, ws *Workspace, jobs int, force ...string) map[string]*Result {
	t.Helper()
	f := map[string]bool{}
	for _, a := range force {
		f[a] = true
	}
	res, err := (&Runner{Config: cfg, WS: ws, Jobs: jobs, Force: f}).Run(context.Background(), nil)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return byAddr(res)
}

func byAddr(res []*Result) map[string]*Result {
	m := map[string]*Result{}
	for _, r := range res {
		m[r.Addr] = r
	}
	return m
}

func outcomes(m map[string]*Result) string {
	var s []string
	for _, a := range []string{"tsrc.root", "tmap.a", "tmap.b", "tmap.join"} {
		if r, ok := m[a]; ok {
			s = append(s, a+"="+string(r.Outcome))
		}
	}
	return strings.Join(s, " ")
}

func digests(t *testing.T, ws *Workspace, cfg *Config) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, a := range cfg.Addrs() {
		rec, err := ws.Latest(a)
		if err != nil || rec == nil {
			t.Fatalf("no record for %s: %v", a, err)
		}
		for _, o := range rec.Outputs {
			m[a+"."+o.Name] = o.Digest.String()
		}
	}
	return m
}

func TestSecondRunIsCached(t *testing.T) {
	cfg, ws := setup(t, "")
	first := runStages(t, cfg, ws, 1)
	if got, want := outcomes(first), "tsrc.root=ran tmap.a=ran tmap.b=ran tmap.join=ran"; got != want {
		t.Fatalf("first run: %s, want %s", got, want)
	}
	d1 := digests(t, ws, cfg)
	second := runStages(t, cfg, ws, 1)
	if got, want := outcomes(second), "tsrc.root=cached tmap.a=cached tmap.b=cached tmap.join=cached"; got != want {
		t.Fatalf("second run: %s, want %s", got, want)
	}
	d2 := digests(t, ws, cfg)
	for k, v := range d1 {
		if d2[k] != v {
			t.Errorf("%s digest changed on a cached run", k)
		}
	}
	// The stable path points at the object and holds its bytes.
	rec, _ := ws.Latest("tmap.a")
	o, _ := rec.Output("out")
	b, err := os.ReadFile(ws.OutPath("tmap.a", o))
	if err != nil || artifacts.DigestOf(b) != o.Digest {
		t.Errorf("out path does not hold the output: %v", err)
	}
}

func TestJobsDoNotChangeResults(t *testing.T) {
	cfg1, ws1 := setup(t, "")
	runStages(t, cfg1, ws1, 1)
	cfg2, ws2 := setup(t, "", "tmap.a.sleep_ms=30", "tmap.b.sleep_ms=30")
	start := time.Now()
	runStages(t, cfg2, ws2, 2)
	_ = start
	d1, d2 := digests(t, ws1, cfg1), digests(t, ws2, cfg2)
	for k, v := range d1 {
		if d2[k] != v && !strings.HasPrefix(k, "tmap.a") && !strings.HasPrefix(k, "tmap.b") && !strings.HasPrefix(k, "tmap.join") {
			t.Errorf("%s differs between -j 1 and -j 2", k)
		}
	}
	// sleep_ms changes the keys of a and b but not their bytes.
	for _, k := range []string{"tmap.a.out", "tmap.b.out", "tmap.join.out"} {
		if d1[k] != d2[k] {
			t.Errorf("%s differs between -j 1 and -j 2", k)
		}
	}
}

func TestParamChangeRerunsDependents(t *testing.T) {
	dir := t.TempDir()
	cfg, ws := setup(t, dir)
	runStages(t, cfg, ws, 1)

	cfg2, ws2 := setup(t, dir, "tmap.a.scale=5")
	ds, err := cfg2.Status(ws2, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"tsrc.root": "",
		"tmap.a":    "param scale changed: 3 -> 5",
		"tmap.b":    "",
		"tmap.join": "upstream tmap.a will run",
	}
	for _, d := range ds {
		reasons := strings.Join(d.Reasons, "; ")
		if w := want[d.Addr]; (w == "") == d.Run || !strings.Contains(reasons, w) {
			t.Errorf("status %s: run=%v reasons %q, want reason %q", d.Addr, d.Run, reasons, w)
		}
	}
	got := runStages(t, cfg2, ws2, 1)
	if o, w := outcomes(got), "tsrc.root=cached tmap.a=ran tmap.b=cached tmap.join=ran"; o != w {
		t.Fatalf("after change: %s, want %s", o, w)
	}
	if r := strings.Join(got["tmap.join"].Reasons, "; "); !strings.Contains(r, "input in.out changed") {
		t.Errorf("join reran for %q, want the changed input named", r)
	}
	// Going back to the old value is served from the cache.
	if o := outcomes(runStages(t, cfg, ws, 1)); strings.Contains(o, "ran") {
		t.Errorf("returning to the old config reran: %s", o)
	}
}

func TestReformattingRerunsNothing(t *testing.T) {
	dir := t.TempDir()
	cfg, ws := setup(t, dir)
	runStages(t, cfg, ws, 1)
	src := `
# the same pipeline, reformatted: comments, order, spacing, 3 written as 3.0
tmap "join" {
    other = tmap.b
in = tmap.a
}
tmap "b" {
  opts {
    times = [0,4] // inline comment
    every=2
  }
  in = tsrc.root
}
tmap "a" {
  scale = 3.0
  in = tsrc.root
}
tsrc "root" {
      value = 0.50
  n = 8
}
seed = 7
`
	path := filepath.Join(t.TempDir(), "p.hcl")
	os.WriteFile(path, []byte(src), 0o644)
	cfg2, diags := LoadFile(testKinds, path, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg2.Workspace = dir
	if o := outcomes(runStages(t, cfg2, ws, 1)); strings.Contains(o, "ran") {
		t.Errorf("reformatted config reran: %s", o)
	}
}

func TestEarlyCutoff(t *testing.T) {
	dir := t.TempDir()
	cfg, ws := setup(t, dir)
	runStages(t, cfg, ws, 1)
	// label does not change tsrc's bytes: it reruns, downstream stays cached.
	cfg2, _ := setup(t, dir, "tsrc.root.label=other")
	if o, w := outcomes(runStages(t, cfg2, ws, 1)), "tsrc.root=ran tmap.a=cached tmap.b=cached tmap.join=cached"; o != w {
		t.Errorf("got %s, want %s", o, w)
	}
}

func TestFailureLeavesNoRecord(t *testing.T) {
	cfg, ws := setup(t, "", "tmap.a.fail=true")
	res, err := (&Runner{Config: cfg, WS: ws, Jobs: 2}).Run(context.Background(), nil)
	var re *RunError
	if !errors.As(err, &re) || len(re.Failed) != 1 || re.Failed[0] != "tmap.a" {
		t.Fatalf("error %v, want a RunError naming tmap.a", err)
	}
	if !strings.Contains(err.Error(), "stage tmap.a: asked to fail") {
		t.Errorf("error %q does not name the stage and cause", err)
	}
	if o, w := outcomes(byAddr(res)), "tsrc.root=ran tmap.a=failed tmap.b=ran tmap.join=skipped"; o != w {
		t.Errorf("got %s, want %s", o, w)
	}
	if rec, _ := ws.Latest("tmap.a"); rec != nil {
		t.Errorf("failed stage has a record")
	}
	if _, err := os.Stat(filepath.Join(ws.Dir, "out", "tmap.a")); !os.IsNotExist(err) {
		t.Errorf("failed stage has an out directory")
	}
}

func TestCancelledRunLeavesNoRecord(t *testing.T) {
	cfg, ws := setup(t, "", "tmap.a.sleep_ms=5000")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := (&Runner{Config: cfg, WS: ws, Jobs: 1}).Run(ctx, nil)
	if err == nil {
		t.Fatal("cancelled run reported success")
	}
	if rec, _ := ws.Latest("tmap.a"); rec != nil {
		t.Errorf("interrupted stage has a record")
	}
	if rec, _ := ws.Latest("tsrc.root"); rec == nil {
		t.Errorf("stage completed before the interrupt lost its record")
	}
}

func TestMissingObjectReruns(t *testing.T) {
	cfg, ws := setup(t, "")
	runStages(t, cfg, ws, 1)
	rec, _ := ws.Latest("tmap.b")
	o, _ := rec.Output("out")
	os.Chmod(filepath.Dir(ws.Store.Path(o.Digest)), 0o755)
	if err := os.Remove(ws.Store.Path(o.Digest)); err != nil {
		t.Fatal(err)
	}
	res := runStages(t, cfg, ws, 1)
	if res["tmap.b"].Outcome != Ran || !strings.Contains(strings.Join(res["tmap.b"].Reasons, ";"), "missing from the store") {
		t.Errorf("tmap.b: %s %v", res["tmap.b"].Outcome, res["tmap.b"].Reasons)
	}
	if res["tmap.join"].Outcome != Cached {
		t.Errorf("join reran although b's bytes are the same")
	}
}

func TestCorruptObjectIsReported(t *testing.T) {
	cfg, ws := setup(t, "")
	runStages(t, cfg, ws, 1)
	rec, _ := ws.Latest("tsrc.root")
	o, _ := rec.Output("out")
	path := ws.Store.Path(o.Digest)
	os.Chmod(path, 0o644)
	b, _ := os.ReadFile(path)
	b[len(b)-1] ^= 0xff
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := ws.Verify(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Corrupt) != 1 || !strings.Contains(rep.Corrupt[0], o.Digest.String()) || !strings.Contains(rep.Corrupt[0], "tsrc.root.out") {
		t.Errorf("verify report %v does not name the corrupt object and its stage", rep.Corrupt)
	}
	_, err = (&Runner{Config: cfg, WS: ws, Jobs: 1, Force: map[string]bool{"tmap.a": true}}).Run(context.Background(), nil)
	if !errors.Is(err, artifacts.ErrCorrupt) || !strings.Contains(err.Error(), o.Digest.String()[:12]) {
		t.Errorf("reading the corrupt object: %v; want ErrCorrupt naming %s", err, o.Digest)
	}
}

func TestGC(t *testing.T) {
	dir := t.TempDir()
	cfg, ws := setup(t, dir)
	runStages(t, cfg, ws, 1)
	cfg2, _ := setup(t, dir, "tmap.a.scale=7")
	runStages(t, cfg2, ws, 1)
	rep, err := ws.GC(false, false)
	if err != nil || rep.Objects != 0 {
		t.Fatalf("gc without pruning removed %d objects (%v); every object has a record", rep.Objects, err)
	}
	rep, err = ws.GC(true, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Runs != 2 || rep.Objects != 2 {
		t.Errorf("gc --prune-runs removed %d records and %d objects, want 2 and 2 (old a and join)", rep.Runs, rep.Objects)
	}
	if o := outcomes(runStages(t, cfg2, ws, 1)); strings.Contains(o, "ran") {
		t.Errorf("latest outputs were collected: %s", o)
	}
}

func TestLockWaitsAndNamesHolder(t *testing.T) {
	dir := t.TempDir()
	l1, err := LockWorkspace(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	holder := make(chan string, 1)
	got := make(chan error, 1)
	go func() {
		l2, err := LockWorkspace(context.Background(), dir, func(h string) { holder <- h })
		if err == nil {
			l2.Unlock()
		}
		got <- err
	}()
	select {
	case h := <-holder:
		if !strings.Contains(h, "pid ") {
			t.Errorf("holder %q does not name the process", h)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("second locker did not report waiting")
	}
	select {
	case <-got:
		t.Fatal("second locker got the lock while it was held")
	case <-time.After(50 * time.Millisecond):
	}
	l1.Unlock()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}
