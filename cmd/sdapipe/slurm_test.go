package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestExecutorUsageErrors(t *testing.T) {
	dir := writeConfig(t, small+"\nexecutor \"pbs\" {\n}\n")
	code, _, errOut := runCLI(t, dir, "status")
	if code != 2 || !regexp.MustCompile(`pipeline.hcl:\d+:\d+: error: Unknown executor`).MatchString(errOut) {
		t.Errorf("executor \"pbs\": exit %d\n%s", code, errOut)
	}
	dir = writeConfig(t, small)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown executor", []string{"run", "full", "--executor", "pbs"}, `--executor "pbs"`},
		{"run-stage without snapshot", []string{"run-stage", "--workspace", "ws", "simulate.lorenz"}, "run-stage is what"},
		{"run-stage part without parts", []string{"run-stage", "--workspace", "ws", "--snapshot", "x", "--part", "1", "simulate.lorenz"}, "--part I with --parts N"},
		{"run-stage part out of range", []string{"run-stage", "--workspace", "ws", "--snapshot", "x", "--part", "2", "--parts", "2", "simulate.lorenz"}, "--part I with --parts N"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, dir, tc.args...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, want 2 and %q in:\n%s", code, tc.want, errOut)
			}
		})
	}
}

// TestSettingsFixtureThroughCLI: every problem of the executor block is
// reported at once, compiler style, with exit code 2.
func TestSettingsFixtureThroughCLI(t *testing.T) {
	abs, _ := filepath.Abs("../../executor/slurm/testdata/invalid/settings.hcl")
	src, err := os.ReadFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, t.TempDir(), "status", "--config", abs)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	marker := regexp.MustCompile(`#\s*ERROR:\s*(.+)$`)
	for i, line := range strings.Split(string(src), "\n") {
		if m := marker.FindStringSubmatch(line); m != nil {
			if !regexp.MustCompile(regexp.QuoteMeta(abs) + `:` + strconv.Itoa(i+1) + `:\d+: error: ` + regexp.QuoteMeta(strings.TrimSpace(m[1]))).MatchString(errOut) {
				t.Errorf("stderr lacks line %d: %s", i+1, m[1])
			}
		}
	}
}

func TestRunWithoutSlurmIsAUsageError(t *testing.T) {
	dir := writeConfig(t, small)
	t.Setenv("PATH", t.TempDir())
	code, _, errOut := runCLI(t, dir, "run", "full", "--executor", "slurm")
	if code != 2 || !strings.Contains(errOut, "sbatch is not on PATH") {
		t.Errorf("exit %d\n%s", code, errOut)
	}
}

// TestJobsInFlightAreShown: status lists the jobs an earlier Slurm run
// left in flight, and a local run warns that they may still be running.
func TestJobsInFlightAreShown(t *testing.T) {
	dir := writeConfig(t, small)
	if code, _, e := runCLI(t, dir, "run", "full"); code != 0 {
		t.Fatal(e)
	}
	slurmDir := filepath.Join(dir, ".sdapipe", "slurm")
	os.MkdirAll(slurmDir, 0o755)
	reg := `{"format": 1, "stages": {"simulate.lorenz": {"stage": "simulate.lorenz", "job": "999999", "log": "/logs/simulate.lorenz.999999.out"}}}`
	if err := os.WriteFile(filepath.Join(slurmDir, "jobs.json"), []byte(reg), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, dir, "status", "--explain")
	if code != 0 || !strings.Contains(out, "simulate.lorenz          cached (in flight on Slurm: job 999999, ") ||
		!strings.Contains(out, "log /logs/simulate.lorenz.999999.out") {
		t.Errorf("status --explain: %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = runCLI(t, dir, "run", "full")
	if code != 0 || !strings.Contains(errOut, "an earlier Slurm run left jobs that may still be queued or running: simulate.lorenz (job 999999)") {
		t.Errorf("local run: %d\n%s", code, errOut)
	}
	// Unless Slurm says the job ended, gc keeps off: it would remove the
	// objects the job has written before its record.
	t.Setenv("PATH", t.TempDir())
	code, _, errOut = runCLI(t, dir, "gc")
	if code != 1 || !strings.Contains(errOut, "Slurm jobs of an earlier run may still write to the workspace: simulate.lorenz (job 999999, state unknown") {
		t.Errorf("gc: %d\n%s", code, errOut)
	}
}
