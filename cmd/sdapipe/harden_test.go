//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"sdapipe/artifacts"
)

// runBinary runs the built sdapipe in dir, killing it after 10 s: the
// cases here used to hang forever (a FIFO) or read until the kernel
// killed them (/dev/zero), ignoring SIGINT and SIGTERM. A child process
// keeps a regression from exhausting the test's own memory.
func runBinary(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("sdapipe %s did not finish within 10 s:\n%s", strings.Join(args, " "), out)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

const observeFile = small + `
observe "lo" {
  data         = simulate.lorenz
  every        = 8
  length       = 32
  count        = 1
  observations = file("x.npy")
}
`

// TestSpecialFilesExitTwo: a FIFO or /dev/zero as --config or as a file()
// input is refused at once with exit 2 and the reason, for status as for
// run; no workspace is created.
func TestSpecialFilesExitTwo(t *testing.T) {
	tests := []struct {
		name  string
		input func(t *testing.T, path string) error
		args  []string
	}{
		{"fifo as --config", func(t *testing.T, p string) error { return syscall.Mkfifo(p, 0o644) }, []string{"status", "--config", "x.npy"}},
		{"/dev/zero as --config", func(t *testing.T, p string) error { return os.Symlink("/dev/zero", p) }, []string{"dag", "--config", "x.npy"}},
		{"fifo as file()", func(t *testing.T, p string) error { return syscall.Mkfifo(p, 0o644) }, []string{"run", "full"}},
		{"/dev/zero as file()", func(t *testing.T, p string) error { return os.Symlink("/dev/zero", p) }, []string{"status"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeConfig(t, observeFile)
			if err := tc.input(t, filepath.Join(dir, "x.npy")); err != nil {
				t.Fatal(err)
			}
			code, out := runBinary(t, dir, tc.args...)
			if code != 2 || !strings.Contains(out, "not a regular file") {
				t.Errorf("exit %d, want 2 with the reason:\n%s", code, out)
			}
			if _, err := os.Stat(filepath.Join(dir, ".sdapipe")); !os.IsNotExist(err) {
				t.Errorf("a refused input left a workspace")
			}
		})
	}
}

// TestObservationOverflowExitsTwo: float64 observations beyond float32's
// range are a configuration error naming the index, not a failed run.
func TestObservationOverflowExitsTwo(t *testing.T) {
	dir := writeConfig(t, strings.Replace(observeFile, `file("x.npy")`, `file("obs.npy")`, 1))
	y := make([]float64, 2*4) // two observation sets of the 4 values observed at times 0, 8, 16, 24
	y[1*4+2] = 1e300
	src, err := artifacts.EncodeNPY(artifacts.Array{DType: artifacts.Float64, Shape: []int{2, 4}, Data: y})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "obs.npy"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, dir, "run", "full")
	if code != 2 || !strings.Contains(errOut, "observation 1, value 2 is 1e+300, beyond float32's range") {
		t.Errorf("exit %d, want 2 naming the value:\n%s", code, errOut)
	}
}

// TestSmallerUsageErrors: an empty pipeline, a bare word in --set, and a
// workspace path that is a file are each exit 2 with a sentence that says
// what was expected.
func TestSmallerUsageErrors(t *testing.T) {
	dir := writeConfig(t, small)
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "empty.hcl"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "full", "--config", "empty.hcl"}, "No stages: The pipeline file declares no stage"},
		{[]string{"status", "--set", "simulate.lorenz.trajectories=abc"},
			"trajectories must be a whole number; got abc, a name without quotes"},
		{[]string{"run", "full", "--workspace", file}, "this path is a file, not a directory"},
		{[]string{"status", "--workspace", file}, "this path is a file"},
		{[]string{"show", "simulate.lorenz", "--workspace", file}, "this path is a file"},
		{[]string{"verify", "--workspace", file}, "this path is a file"},
		{[]string{"gc", "--workspace", file}, "this path is a file"},
		{[]string{"schemas", "extra"}, "schemas takes no arguments"},
	}
	for _, tc := range tests {
		code, _, errOut := runCLI(t, dir, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "Variables not allowed") {
			t.Errorf("sdapipe %s: exit %d, want 2 saying %q:\n%s", strings.Join(tc.args, " "), code, tc.want, errOut)
		}
	}
}

// TestMissingSeedWarns: a file without seed runs with the stated default,
// seed 0, the same streams as seed = 0 written out, and says so on stderr
// each time; a file that sets it gets no warning.
func TestMissingSeedWarns(t *testing.T) {
	noSeed := strings.Replace(small, "seed = 3", "", 1)
	dir := writeConfig(t, noSeed)
	code, _, errOut := runCLI(t, dir, "run", "full")
	if code != 0 || !strings.Contains(errOut, "pipeline.hcl: warning: No seed: the file sets no seed, so every random stream derives from seed = 0") {
		t.Fatalf("run without seed: exit %d\n%s", code, errOut)
	}
	implicit := recordDigests(t, filepath.Join(dir, ".sdapipe"))
	explicit := writeConfig(t, "seed = 0\n"+noSeed)
	code, _, errOut = runCLI(t, explicit, "run", "full")
	if code != 0 || strings.Contains(errOut, "warning") {
		t.Fatalf("run with seed = 0: exit %d\n%s", code, errOut)
	}
	for k, v := range recordDigests(t, filepath.Join(explicit, ".sdapipe")) {
		if implicit[k] != v {
			t.Errorf("%s differs between no seed and seed = 0", k)
		}
	}
}

// TestSchemasTakesCommonFlags: every command takes the common flags, as
// the README says; schemas used to refuse them.
func TestSchemasTakesCommonFlags(t *testing.T) {
	dir := writeConfig(t, small)
	for _, args := range [][]string{
		{"schemas", "--config", "pipeline.hcl", "--workspace", "ws", "--set", "simulate.lorenz.length=40", "--log-level", "debug", "--log-json"},
		{"version", "--config", "pipeline.hcl", "--log-level", "warn"},
	} {
		code, out, errOut := runCLI(t, dir, args...)
		if code != 0 || out == "" {
			t.Errorf("sdapipe %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "ws")); !os.IsNotExist(err) {
		t.Errorf("schemas created a workspace")
	}
}

// TestStatusCreatesNothing: status on a new workspace path reports every
// stage to run and creates nothing.
func TestStatusCreatesNothing(t *testing.T) {
	dir := writeConfig(t, small)
	ws := filepath.Join(dir, "new", "ws")
	code, out, errOut := runCLI(t, dir, "status", "--explain", "--workspace", ws)
	if code != 0 || !strings.Contains(out, "to run") || !strings.Contains(out, "no earlier run") {
		t.Fatalf("status: %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); !os.IsNotExist(err) {
		t.Errorf("status created %s", filepath.Join(dir, "new"))
	}
}

// TestVerifyRepairCLI: verify reports a deleted object and a truncated run
// record (exit 1); verify --repair moves them aside and names the stage to
// rerun (exit 0); the next run remakes it and verify is clean.
func TestVerifyRepairCLI(t *testing.T) {
	dir := writeConfig(t, small)
	if code, _, errOut := runCLI(t, dir, "run", "full"); code != 0 {
		t.Fatal(errOut)
	}
	ws := filepath.Join(dir, ".sdapipe")
	rec := recordDigests(t, ws)
	d := rec["simulate.lorenz.test"]
	if err := os.Remove(filepath.Join(ws, "objects", d[:2], d[2:])); err != nil {
		t.Fatal(err)
	}
	runs, _ := filepath.Glob(filepath.Join(ws, "runs", "*.json"))
	if len(runs) != 1 {
		t.Fatalf("runs: %v", runs)
	}
	if err := os.Truncate(filepath.Join(ws, "out", "simulate.lorenz", "record.json"), 10); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, dir, "verify")
	if code != 1 || !strings.Contains(out, "missing: "+d+", output of simulate.lorenz.test") ||
		!strings.Contains(out, "unreadable run record: out/simulate.lorenz/record.json") || !strings.Contains(errOut, "verify --repair") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, dir, "verify", "--repair")
	if code != 0 || !strings.Contains(out, "moved aside: ") || !strings.Contains(out, "the next run reruns simulate.lorenz") {
		t.Fatalf("verify --repair: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := runCLI(t, dir, "verify"); code != 0 || !strings.Contains(out, "0 corrupt, 0 missing") {
		t.Fatalf("verify after repair: exit %d\n%s", code, out)
	}
	if code, out, errOut := runCLI(t, dir, "run", "full"); code != 0 || !strings.Contains(out, "ran in") {
		t.Fatalf("run after repair: exit %d\n%s%s", code, out, errOut)
	}
	if got := recordDigests(t, ws); got["simulate.lorenz.test"] != d {
		t.Errorf("the remade output differs: %s, was %s", got["simulate.lorenz.test"], d)
	}
	if code, out, _ := runCLI(t, dir, "verify"); code != 0 {
		t.Errorf("verify after the run: exit %d\n%s", code, out)
	}
}
