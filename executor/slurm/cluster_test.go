package slurm

// Tests against a real Slurm cluster. They run when SLURM_CONF names a
// cluster that answers (.ci/run starts one on localhost with .ci/slurm.sh)
// and skip with a message otherwise, and in -short mode.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// study is a six-stage study whose stages each take well under a second
// (train.k2 takes about TRAIN_STEPS/6000 s on 2 cores), with sample split into
// a 3-task array: 3 observation sets × 10 samples in chunks of 4 are 8
// units.
const study = `
seed      = 5
workspace = "ws"

simulate "lorenz" {
  trajectories = 40
  burn_in      = 64
  length       = 64
}
train "k2" {
  data          = simulate.lorenz
  window        = 5
  steps         = TRAIN_STEPS
  batch         = 32
  valid_every   = 30
  valid_windows = 64
  check_samples = 16
  resmlp {
    width = 16
    depth = 1
  }
}
observe "lo" {
  data   = simulate.lorenz
  count  = 3
  length = 17
  every  = 4
}
filter "lo" {
  observations = observe.lo
  particles    = 256
  keep         = 32
}
sample "a" {
  model        = train.k2
  observations = observe.lo
  samples      = 10
  steps        = 8
  chunk        = 4
}
evaluate "lo" {
  observations = observe.lo
  reference    = filter.lo
  posteriors   = [sample.a]
  w1_full      = false
}

executor "slurm" {
  poll = "200ms"
  kind "sample" {
    array = 3
  }
}
`

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// needCluster skips the test unless a Slurm cluster answers, and returns
// the sdapipe binary, built once.
func needCluster(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs jobs on a Slurm cluster; skipped in -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the Slurm tests run on Linux")
	}
	if os.Getenv("SLURM_CONF") == "" {
		t.Skip("no Slurm cluster: SLURM_CONF is not set (start one with: out=$(.ci/slurm.sh up DIR) && eval \"$out\")")
	}
	if err := (CLI{Timeout: 10 * time.Second}).Ping(context.Background()); err != nil {
		t.Skipf("the Slurm cluster of SLURM_CONF=%s does not answer: %v", os.Getenv("SLURM_CONF"), err)
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sdapipe-slurm-test-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "sdapipe")
		out, err := exec.Command("go", "build", "-o", binary, "sdapipe/cmd/sdapipe").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build sdapipe: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// studyDir writes the study with the given training steps to a fresh
// directory. The jobs read and write it from the compute node, which on
// the localhost cluster is this machine.
func studyDir(t testing.TB, trainSteps int) string {
	t.Helper()
	dir := t.TempDir()
	src := strings.Replace(study, "TRAIN_STEPS", fmt.Sprint(trainSteps), 1)
	if err := os.WriteFile(filepath.Join(dir, "pipeline.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	// A test that fails half way leaves no jobs to the next one.
	t.Cleanup(func() {
		if reg, err := loadRegistry(filepath.Join(dir, "ws")); err == nil {
			for _, e := range reg.Stages {
				(CLI{}).Cancel(context.Background(), e.jobs())
			}
		}
	})
	return dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// sdapipe runs the binary in dir.
func sdapipe(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	return result{code, stdout.String(), stderr.String()}
}

// driver is a `run --executor slurm` in the background.
type driver struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan struct{}
	code           int
}

func startDriver(t *testing.T, dir string, args ...string) *driver {
	t.Helper()
	d := &driver{done: make(chan struct{})}
	d.cmd = exec.Command(binary, append([]string{"run", "full", "--executor", "slurm"}, args...)...)
	d.cmd.Dir = dir
	d.cmd.Stdout, d.cmd.Stderr = &d.stdout, &d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		d.cmd.Wait()
		d.code = d.cmd.ProcessState.ExitCode()
		close(d.done)
	}()
	t.Cleanup(func() {
		d.cmd.Process.Kill()
		<-d.done
	})
	return d
}

func (d *driver) wait(t *testing.T, timeout time.Duration) result {
	t.Helper()
	select {
	case <-d.done:
	case <-time.After(timeout):
		d.cmd.Process.Kill()
		<-d.done
		t.Fatalf("the driver did not end within %v:\n%s", timeout, d.stderr.String())
	}
	return result{d.code, d.stdout.String(), d.stderr.String()}
}

// waitFor polls cond every 100 ms until it holds, failing after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// inFlight returns the registry entry of a stage, or nil.
func inFlight(t *testing.T, ws, addr string) *entry {
	t.Helper()
	reg, err := loadRegistry(ws)
	if err != nil {
		return nil // caught mid-rename on some file systems; the caller polls
	}
	return reg.Stages[addr]
}

// state returns the Slurm state and reason of a job (not an array).
func state(t *testing.T, job string) (string, string) {
	t.Helper()
	tasks, err := CLI{}.Query(context.Background(), []string{job})
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) == 0 {
		return "GONE", ""
	}
	return tasks[0].State, tasks[0].Reason
}

// outputs reads every published output of a workspace: out/<stage>/<file>
// without the records, whose times and hosts differ between runs.
func outputs(t *testing.T, ws string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(ws, "out", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		if filepath.Base(f) == "record.json" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(ws, f)
		out[rel] = b
	}
	return out
}

// sameOutputs fails unless two workspaces published the same files with
// the same bytes.
func sameOutputs(t *testing.T, want, got string) {
	t.Helper()
	w, g := outputs(t, want), outputs(t, got)
	if len(w) == 0 {
		t.Fatalf("no outputs in %s", want)
	}
	for name, wb := range w {
		gb, ok := g[name]
		switch {
		case !ok:
			t.Errorf("%s: missing in the Slurm workspace", name)
		case !bytes.Equal(wb, gb):
			t.Errorf("%s: %d bytes differ from the local run's %d", name, len(gb), len(wb))
		}
	}
	for name := range g {
		if _, ok := w[name]; !ok {
			t.Errorf("%s: only in the Slurm workspace", name)
		}
	}
}

// localReference runs the study with the local executor in a workspace
// of its own and returns its directory.
func localReference(t *testing.T, dir string) string {
	t.Helper()
	ws := filepath.Join(dir, "local")
	if r := sdapipe(t, dir, "run", "full", "--workspace", ws); r.code != 0 {
		t.Fatalf("local run: %s", r)
	}
	return ws
}

func count(s, sub string) int { return strings.Count(s, sub) }

func TestStudyOnSlurmMatchesLocalAndRerunsNothing(t *testing.T) {
	needCluster(t)
	dir := studyDir(t, 60)
	local := localReference(t, dir)

	r := sdapipe(t, dir, "run", "full", "--executor", "slurm")
	if r.code != 0 {
		t.Fatalf("slurm run: %s", r)
	}
	ws := filepath.Join(dir, "ws")
	sameOutputs(t, local, ws)
	// Six stages: five jobs and, for sample, an array and its gather job.
	if n := count(r.stderr, "submitted "); n != 6 || !strings.Contains(r.stderr, "submitted array") {
		t.Errorf("want 6 submissions, one an array; got %d:\n%s", n, r.stderr)
	}
	if !regexp.MustCompile(`sample\.a +ran in [0-9.]+s \(Slurm job [0-9]+\)`).MatchString(r.stdout) {
		t.Errorf("summary does not name sample.a's job:\n%s", r.stdout)
	}
	for _, addr := range []string{"simulate.lorenz", "evaluate.lo"} {
		if e := inFlight(t, ws, addr); e != nil {
			t.Errorf("%s still recorded in flight after the run: %+v", addr, e)
		}
	}
	if _, err := os.Stat(filepath.Join(ws, "parts")); err == nil {
		if left, _ := os.ReadDir(filepath.Join(ws, "parts")); len(left) > 0 {
			t.Errorf("the gather step left parts behind: %v", left)
		}
	}

	again := sdapipe(t, dir, "run", "full", "--executor", "slurm")
	if again.code != 0 || count(again.stderr, "submitted") != 0 || count(again.stdout, "cached") != 6 {
		t.Errorf("second run should submit nothing and find all 6 stages cached: %s", again)
	}
}

func TestScancelFailsStageAndSlurmCancelsDependents(t *testing.T) {
	needCluster(t)
	dir := studyDir(t, 20000)
	ws := filepath.Join(dir, "ws")
	d := startDriver(t, dir)
	var train *entry
	waitFor(t, 60*time.Second, "train.k2's job to run", func() bool {
		train = inFlight(t, ws, "train.k2")
		if train == nil {
			return false
		}
		s, _ := state(t, train.Job)
		return s == "RUNNING"
	})
	sample := inFlight(t, ws, "sample.a")
	if sample == nil || sample.Array == "" {
		t.Fatalf("sample.a has no job array in flight: %+v", sample)
	}
	if out, err := exec.Command("scancel", train.Job).CombinedOutput(); err != nil {
		t.Fatalf("scancel: %v %s", err, out)
	}
	r := d.wait(t, 60*time.Second)
	if r.code != 1 {
		t.Fatalf("want exit 1 after scancel: %s", r)
	}
	for _, want := range []string{
		"stage train.k2: Slurm job " + train.Job + " was cancelled",
		"last lines of " + train.Log,
		"CANCELLED AT", // slurmstepd's line in the job's log
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	for _, want := range []string{"sample.a                 skipped: upstream train.k2 did not complete",
		"evaluate.lo              skipped: upstream sample.a did not complete", "filter.lo                ran in"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	// Slurm, not the driver, cancelled the dependents.
	for _, job := range []string{sample.Job, sample.Array} {
		if s, reason := state(t, job); s != "CANCELLED" || reason != "DependencyNeverSatisfied" {
			t.Errorf("job %s: %s %s, want CANCELLED DependencyNeverSatisfied", job, s, reason)
		}
	}
	if r := sdapipe(t, dir, "run", "full", "--executor", "slurm"); r.code != 0 || count(r.stderr, "submitted") != 3 {
		t.Fatalf("the next run should submit train, sample and evaluate again and succeed: %s", r)
	}
	sameOutputs(t, localReference(t, dir), ws)
}

func TestKilledDriverReattaches(t *testing.T) {
	needCluster(t)
	dir := studyDir(t, 20000)
	ws := filepath.Join(dir, "ws")
	d := startDriver(t, dir)
	var train *entry
	waitFor(t, 60*time.Second, "train.k2's job to run", func() bool {
		if train = inFlight(t, ws, "train.k2"); train == nil {
			return false
		}
		s, _ := state(t, train.Job)
		return s == "RUNNING"
	})
	if err := d.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	d.wait(t, 10*time.Second)
	reg, err := loadRegistry(ws)
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"train.k2", "sample.a", "evaluate.lo"} {
		if reg.Stages[addr] == nil {
			t.Fatalf("the killed driver's registry lacks %s: %v", addr, slices.Sorted(func(yield func(string) bool) {
				for k := range reg.Stages {
					if !yield(k) {
						return
					}
				}
			}))
		}
	}
	st := sdapipe(t, dir, "status", "--explain")
	if !strings.Contains(st.stdout, "in flight on Slurm: job "+train.Job) || !strings.Contains(st.stdout, "log "+train.Log) {
		t.Errorf("status --explain does not show train.k2's job %s in flight:\n%s", train.Job, st)
	}

	r := sdapipe(t, dir, "run", "full", "--executor", "slurm")
	if r.code != 0 {
		t.Fatalf("rerun: %s", r)
	}
	if !strings.Contains(r.stderr, "re-attached to job "+train.Job) {
		t.Errorf("the rerun did not re-attach to train.k2's job %s:\n%s", train.Job, r.stderr)
	}
	if n := count(r.stderr, "submitted"); n != 0 {
		t.Errorf("the rerun submitted %d jobs, want none (every stage was done or in flight):\n%s", n, r.stderr)
	}
	if !strings.Contains(r.stdout, "train.k2                 ran in") || !strings.Contains(r.stdout, "(Slurm job "+train.Job+")") {
		t.Errorf("summary:\n%s", r.stdout)
	}
	sameOutputs(t, localReference(t, dir), ws)
	if _, err := os.Stat(registryPath(ws)); err == nil {
		t.Errorf("jobs.json remains after every job ended")
	}
}

// corrupt overwrites the stored object behind a published output, so that
// a job that reads it fails on the digest check.
func corrupt(t *testing.T, ws, addr, file string) {
	t.Helper()
	path, err := filepath.EvalSymlinks(filepath.Join(ws, "out", addr, file))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 0xff
	if err := os.WriteFile(path, b, 0o444); err != nil {
		t.Fatal(err)
	}
}

func TestFailingJobsShowTheirLogTail(t *testing.T) {
	needCluster(t)
	t.Run("job", func(t *testing.T) {
		dir := studyDir(t, 60)
		ws := filepath.Join(dir, "ws")
		if r := sdapipe(t, dir, "run", "simulate.lorenz"); r.code != 0 {
			t.Fatal(r)
		}
		corrupt(t, ws, "simulate.lorenz", "train.npy")
		r := sdapipe(t, dir, "run", "full", "--executor", "slurm")
		if r.code != 1 {
			t.Fatalf("want exit 1: %s", r)
		}
		// The tail's lines are indented, and prefixed by "|" where the
		// logger prints the error; the corrupted object is moved aside,
		// so the filter job that needs its record fails too.
		want := regexp.MustCompile(`stage train\.k2: Slurm job [0-9]+ failed \(exit status 1\); last lines of \S+/train\.k2\.[0-9]+\.out:\n(?:[ |]+.*\n)*?[ |]+.*does not match its digest`)
		if !want.MatchString(r.stderr) {
			t.Errorf("stderr lacks the failed job's log tail (%s):\n%s", want, r.stderr)
		}
		// observe.lo reads the corrupt object too, in a job that may run
		// first: sample.a is skipped for whichever of its inputs failed.
		if !regexp.MustCompile(`sample\.a +skipped: upstream (train\.k2|observe\.lo) did not complete`).MatchString(r.stdout) {
			t.Errorf("stdout:\n%s", r.stdout)
		}
	})
	t.Run("array task", func(t *testing.T) {
		dir := studyDir(t, 60)
		ws := filepath.Join(dir, "ws")
		if r := sdapipe(t, dir, "run", "train.k2", "observe.lo"); r.code != 0 {
			t.Fatal(r)
		}
		corrupt(t, ws, "train.k2", "weights.npz")
		r := sdapipe(t, dir, "run", "full", "--executor", "slurm")
		if r.code != 1 {
			t.Fatalf("want exit 1: %s", r)
		}
		want := regexp.MustCompile(`stage sample\.a: task 0 of array ([0-9]+) failed \(exit status 1\); last lines of \S+/sample\.a\.([0-9]+)_0\.out:\n(    .*\n)*    .*does not match its digest`)
		m := want.FindStringSubmatch(r.stderr)
		if m == nil || m[1] != m[2] {
			t.Errorf("stderr lacks the failed task's log tail (%s):\n%s", want, r.stderr)
		}
		if !strings.Contains(r.stdout, "evaluate.lo              skipped: upstream sample.a did not complete") {
			t.Errorf("stdout:\n%s", r.stdout)
		}
	})
}

func TestInterruptCancelsTheJobs(t *testing.T) {
	needCluster(t)
	dir := studyDir(t, 20000)
	ws := filepath.Join(dir, "ws")
	d := startDriver(t, dir)
	var train *entry
	waitFor(t, 60*time.Second, "train.k2's job to run", func() bool {
		if train = inFlight(t, ws, "train.k2"); train == nil {
			return false
		}
		s, _ := state(t, train.Job)
		return s == "RUNNING"
	})
	reg, err := loadRegistry(ws)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	r := d.wait(t, 30*time.Second)
	if r.code != 1 || !strings.Contains(r.stdout, "train.k2                 skipped: interrupted; Slurm cancelled job "+train.Job) {
		t.Fatalf("interrupted driver: %s", r)
	}
	// Stages that had completed may still have been listed when the
	// signal came; train.k2 and what waits on it had not.
	for _, e := range reg.Stages {
		for _, job := range e.jobs() {
			waitFor(t, 10*time.Second, "job "+job+" to end", func() bool { s, _ := state(t, job); return terminal(s) })
			s, _ := state(t, job)
			downstream := e.Stage == "train.k2" || e.Stage == "sample.a" || e.Stage == "evaluate.lo"
			if s != "CANCELLED" && (downstream || s != "COMPLETED") {
				t.Errorf("%s: job %s is %s, want CANCELLED", e.Stage, job, s)
			}
		}
	}
	if reg.Stages["sample.a"] == nil || reg.Stages["evaluate.lo"] == nil {
		t.Errorf("sample.a and evaluate.lo were not in flight: %v", reg.Stages)
	}
	if _, err := os.Stat(registryPath(ws)); err == nil {
		t.Errorf("jobs.json remains after the driver cancelled every job")
	}
}
