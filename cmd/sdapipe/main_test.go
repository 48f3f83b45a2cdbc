package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sdapipe"
	"sdapipe/pipeline"
	"sdapipe/stages"
)

// binary is the sdapipe binary built once for the tests that need a real
// process (signals, locks, GOMAXPROCS).
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sdapipe-test-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "sdapipe")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build sdapipe: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sdapipe runs the command in-process in dir and returns its exit code
// and output.
func runCLI(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// small is a simulate-only pipeline that runs in well under a second.
const small = `
seed = 3
simulate "lorenz" {
  trajectories = 40
  burn_in      = 64
  length       = 32
}
`

func writeConfig(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pipeline.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunTwiceThenCached(t *testing.T) {
	dir := writeConfig(t, small)
	code, out, errOut := runCLI(t, dir, "run", "full")
	if code != 0 || !strings.Contains(out, "simulate.lorenz") || !strings.Contains(out, "ran in") {
		t.Fatalf("first run: code %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, dir, "run", "full")
	if code != 0 || !strings.Contains(out, "cached") || strings.Contains(out, "ran in") {
		t.Fatalf("second run executed something: code %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, dir, "status")
	if code != 0 || !regexp.MustCompile(`simulate.lorenz\s+cached`).MatchString(out) {
		t.Errorf("status: %d %s", code, out)
	}
	code, out, _ = runCLI(t, dir, "path", "simulate.lorenz", "test")
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), filepath.Join(".sdapipe", "out", "simulate.lorenz", "test.npy")) {
		t.Errorf("path: %d %q", code, out)
	}
	if _, err := os.Stat(strings.TrimSpace(out)); err != nil {
		t.Errorf("path printed a file that does not exist: %v", err)
	}
	code, out, _ = runCLI(t, dir, "show", "simulate.lorenz")
	for _, want := range []string{"param trajectories", "40", "float32 [trajectory, time, state...]", "shape [4 32 3]"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, dir, "verify")
	if code != 0 || !strings.Contains(out, "0 corrupt") {
		t.Errorf("verify: %d %s", code, out)
	}
}

func TestExplainNamesChangedParameter(t *testing.T) {
	dir := writeConfig(t, small)
	if code, _, e := runCLI(t, dir, "run", "full"); code != 0 {
		t.Fatal(e)
	}
	code, out, _ := runCLI(t, dir, "status", "--explain", "--set", "simulate.lorenz.length=48")
	if code != 0 || !strings.Contains(out, "to run") || !strings.Contains(out, "param length changed: 32 -> 48") {
		t.Errorf("status --explain: %d\n%s", code, out)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	dir := writeConfig(t, small)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "no command"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"run without target", []string{"run"}, "run needs"},
		{"unknown stage", []string{"run", "train.nope"}, `no stage "train.nope"`},
		{"unknown flag", []string{"run", "--nope", "full"}, "unknown flag"},
		{"bad set", []string{"run", "full", "--set", "simulate.lorenz.length=-1"}, "Invalid value for length"},
		{"bad set form", []string{"run", "full", "--set", "length"}, "must have the form"},
		{"unknown output", []string{"path", "simulate.lorenz", "nope"}, `no output "nope"`},
		{"bad log level", []string{"run", "full", "--log-level", "loud"}, "--log-level"},
		{"jobs zero", []string{"run", "full", "-j", "0"}, "-j 0"},
		{"missing config", []string{"dag", "--config", "nope.hcl"}, "Cannot read the pipeline file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, dir, tc.args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2; stderr %s", code, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q lacks %q", errOut, tc.want)
			}
		})
	}
}

// TestInvalidFixturesThroughCLI checks that each malformed pipeline file
// gives its file:line diagnostic on stderr and exit code 2.
func TestInvalidFixturesThroughCLI(t *testing.T) {
	files, _ := filepath.Glob("../../pipeline/testdata/invalid/*.hcl")
	marker := regexp.MustCompile(`#\s*ERROR:\s*(.+)$`)
	ran := 0
	for _, f := range files {
		src, _ := os.ReadFile(f)
		if bytes.Contains(src, []byte("tsrc")) || bytes.Contains(src, []byte("tmap")) {
			continue // test-only stage kinds, covered by the pipeline tests
		}
		abs, _ := filepath.Abs(f)
		ran++
		t.Run(filepath.Base(f), func(t *testing.T) {
			code, _, errOut := runCLI(t, t.TempDir(), "run", "full", "--config", abs)
			if code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			for i, line := range strings.Split(string(src), "\n") {
				if m := marker.FindStringSubmatch(line); m != nil {
					want := fmt.Sprintf("%s:%d:", abs, i+1)
					if !strings.Contains(errOut, want) || !strings.Contains(errOut, strings.TrimSpace(m[1])) {
						t.Errorf("stderr lacks %s ... %s:\n%s", want, m[1], errOut)
					}
				}
			}
			if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine") {
				t.Errorf("stderr shows a panic:\n%s", errOut)
			}
			// The workspace would sit beside the pipeline file: nothing may be written.
			if _, err := os.Stat(filepath.Join(filepath.Dir(abs), ".sdapipe")); !os.IsNotExist(err) {
				t.Errorf("a rejected pipeline created a workspace")
			}
		})
	}
	if ran == 0 {
		t.Fatal("no fixtures found")
	}
}

func TestDag(t *testing.T) {
	dir := writeConfig(t, small)
	code, out, _ := runCLI(t, dir, "dag", "--dot")
	if code != 0 || !strings.HasPrefix(out, "digraph sdapipe {") || !strings.Contains(out, `"simulate.lorenz"`) {
		t.Errorf("dag --dot: %d\n%s", code, out)
	}
}

func recordDigests(t *testing.T, ws string) map[string]string {
	t.Helper()
	m := map[string]string{}
	dirs, _ := os.ReadDir(filepath.Join(ws, "out"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(ws, "out", d.Name(), "record.json"))
		if err != nil {
			t.Fatal(err)
		}
		var rec pipeline.Record
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatal(err)
		}
		for _, o := range rec.Outputs {
			m[d.Name()+"."+o.Name] = o.Digest.String()
		}
	}
	return m
}

// TestGOMAXPROCSDoesNotChangeBytes runs the real binary at GOMAXPROCS=1
// and 2 and compares every output digest.
func TestGOMAXPROCSDoesNotChangeBytes(t *testing.T) {
	dir := writeConfig(t, strings.Replace(small, "trajectories = 40", "trajectories = 200", 1))
	var got []map[string]string
	for _, procs := range []string{"1", "2"} {
		ws := filepath.Join(t.TempDir(), "ws")
		cmd := exec.Command(binary, "run", "full", "--workspace", ws)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+procs)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("GOMAXPROCS=%s: %v\n%s", procs, err, out)
		}
		got = append(got, recordDigests(t, ws))
	}
	if len(got[0]) == 0 {
		t.Fatal("no outputs")
	}
	for k, v := range got[0] {
		if got[1][k] != v {
			t.Errorf("%s: %s at GOMAXPROCS=1, %s at 2", k, v, got[1][k])
		}
	}
}

// TestSIGKILLLeavesNothingThatLooksComplete kills a real run mid-stage and
// checks that no record or stable output path exists, then that the next
// run reruns the stage and succeeds.
func TestSIGKILLLeavesNothingThatLooksComplete(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: runs a multi-second stage")
	}
	// Enough burn-in to take several seconds on two cores.
	slow := strings.Replace(small, "burn_in      = 64", "burn_in      = 400000", 1)
	slow = strings.Replace(slow, "trajectories = 40", "trajectories = 512", 1)
	dir := writeConfig(t, slow)
	cmd := exec.Command(binary, "run", "full")
	cmd.Dir = dir
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ws := filepath.Join(dir, ".sdapipe")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), "running") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if st, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !st.Signaled() {
		t.Fatalf("the run finished before it was killed (%v); make the stage slower\n%s", err, stderr.String())
	}
	runs, _ := os.ReadDir(filepath.Join(ws, "runs"))
	for _, r := range runs {
		if strings.HasSuffix(r.Name(), ".json") {
			t.Errorf("killed run left a record %s", r.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(ws, "out", "simulate.lorenz")); !os.IsNotExist(err) {
		t.Errorf("killed run left stable output paths")
	}
	// The next run must notice nothing is done. Shrink it so it is quick.
	code, out, errOut := runCLI(t, dir, "run", "full", "--set", "simulate.lorenz.burn_in=64")
	if code != 0 || !strings.Contains(out, "ran in") {
		t.Fatalf("rerun after kill: %d\n%s\n%s", code, out, errOut)
	}
}

// TestSecondProcessWaitsForLock holds the workspace lock and starts a real
// run, which must say who holds the lock, wait, then complete.
func TestSecondProcessWaitsForLock(t *testing.T) {
	dir := writeConfig(t, small)
	lock, err := pipeline.LockWorkspace(context.Background(), filepath.Join(dir, ".sdapipe"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "run", "full")
	cmd.Dir = dir
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), "waiting for the workspace lock") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("waiting message does not name the holder (pid %d):\n%s", os.Getpid(), stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, ".sdapipe", "runs")); err == nil {
		if runs, _ := os.ReadDir(filepath.Join(dir, ".sdapipe", "runs")); len(runs) > 0 {
			t.Errorf("the waiting process wrote run records")
		}
	}
	lock.Unlock()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("run after the lock was released: %v\n%s", err, stderr.String())
	}
}

// shrinkByKind lists, per stage kind, overrides that make the embedded
// default study cheap while keeping its graph: every stage kind runs.
var shrinkByKind = map[string][]string{
	"simulate":   {"trajectories=100", "burn_in=10", "length=80"},
	"train":      {"steps=20", "resmlp.width=16", "valid_every=10", "valid_windows=8", "check_samples=4", "check_steps=2"},
	"observe":    {"count=2"},
	"filter":     {"particles=64", "keep=8"},
	"sample":     {"samples=3", "steps=4"},
	"assimilate": {"members=4"},
}

// shrunk returns the --set arguments that shrink every stage of the
// embedded default pipeline.
func shrunk() []string {
	cfg, diags := pipeline.Load(stages.Default(), "pipeline.hcl", ".", sdapipe.DefaultPipeline, nil)
	if diags.HasErrors() {
		panic(diags.Error())
	}
	var sets []string
	for _, st := range cfg.Stages {
		for _, kv := range shrinkByKind[st.Kind.Name] {
			sets = append(sets, st.Addr+"."+kv)
		}
	}
	return sets
}

// defaultStages returns the addresses of the embedded default study.
func defaultStages() []string {
	cfg, diags := pipeline.Load(stages.Default(), "pipeline.hcl", ".", sdapipe.DefaultPipeline, nil)
	if diags.HasErrors() {
		panic(diags.Error())
	}
	return cfg.Addrs()
}

// matching returns the default study's stages whose address starts with
// one of the prefixes.
func matching(prefixes ...string) []string {
	var out []string
	for _, a := range defaultStages() {
		for _, p := range prefixes {
			if strings.HasPrefix(a, p) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

func withSets(args ...string) []string {
	for _, s := range shrunk() {
		args = append(args, "--set", s)
	}
	return args
}

// TestDefaultStudyRerunsNothingAndIgnoresGOMAXPROCS runs the embedded
// default pipeline (shrunk by --set, same graph) with the real binary at
// GOMAXPROCS=1 and 2: every output of every stage kind is bit-identical,
// and a second run executes nothing.
func TestDefaultStudyRerunsNothingAndIgnoresGOMAXPROCS(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: runs every stage kind")
	}
	var digests []map[string]string
	for _, procs := range []string{"1", "2"} {
		dir := t.TempDir() // no pipeline.hcl here: the embedded default is used
		ws := filepath.Join(dir, ".sdapipe")
		cmd := exec.Command(binary, withSets("run", "full", "-j", "2")...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+procs)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("GOMAXPROCS=%s: %v\n%s", procs, err, out)
		}
		digests = append(digests, recordDigests(t, ws))
		if procs == "2" {
			cmd := exec.Command(binary, withSets("run", "full")...)
			cmd.Dir = dir
			out, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			if n := len(defaultStages()); strings.Contains(string(out), "ran in") || strings.Count(string(out), "cached") != n {
				t.Errorf("second run of the default study executed something:\n%s", out)
			}
		}
	}
	if len(digests[0]) < 30 {
		t.Fatalf("only %d outputs", len(digests[0]))
	}
	for k, v := range digests[0] {
		if digests[1][k] != v {
			t.Errorf("%s differs between GOMAXPROCS=1 and 2", k)
		}
	}
}

// TestStatusNamesWhatReruns runs the shrunk default study, then asks which
// stages a training change and a sampling change would rerun: a training
// parameter reruns train and everything after it, a sampling parameter
// only that sample stage and its evaluation.
func TestStatusNamesWhatReruns(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: runs every stage kind")
	}
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, dir, withSets("run", "full")...); code != 0 {
		t.Fatalf("run: %s", errOut)
	}
	tests := []struct {
		set    string
		reruns []string
		reason string
	}{
		{"train.k2.lr=0.003", matching("train.k2", "sample.lo_c", "sample.hi_c", "sample.lo_mmps_k2", "sample.hi_mmps_k2",
			"evaluate.lo", "evaluate.hi"), "param lr changed: 0.002 -> 0.003"},
		{"train.k4.weight_decay=0.002", matching("train.k4", "sample.lo_k4", "sample.hi_k4", "sample.lo_mmps_k4", "sample.hi_mmps_k4",
			"sample.modes", "modes.demo", "evaluate.lo", "evaluate.hi"), "param weight_decay changed: 0.001 -> 0.002"},
		{"sample.lo_c1.tau=0.3", []string{"sample.lo_c1", "evaluate.lo"}, "param tau changed: 0.25 -> 0.3"},
		{"observe.hi.noise=0.3", matching("observe.hi", "filter.hi", "sample.hi_", "assimilate.hi_", "evaluate.hi"),
			"param noise changed: 0.25 -> 0.3"},
	}
	for _, tc := range tests {
		code, out, errOut := runCLI(t, dir, withSets("status", "--explain", "--set", tc.set)...)
		if code != 0 {
			t.Fatalf("status: %s", errOut)
		}
		var got []string
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) >= 3 && f[1] == "to" && f[2] == "run" {
				got = append(got, f[0])
			}
		}
		sort.Strings(got)
		want := append([]string(nil), tc.reruns...)
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("--set %s reruns %v, want %v\n%s", tc.set, got, want, out)
		}
		if !strings.Contains(out, tc.reason) {
			t.Errorf("--set %s: status does not say %q:\n%s", tc.set, tc.reason, out)
		}
	}
}

// syncBuffer is a bytes.Buffer that a child process's output goroutine
// may write while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
