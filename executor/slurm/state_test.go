package slurm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseQuery(t *testing.T) {
	// Output of squeue --noheader --states=all --Format=queryFormat from
	// Slurm 22.05.8 (Debian 12) for: a job that ran `sleep 1; exit 3`, an
	// array 0-3%2 with afterok on it and --kill-on-invalid-dep=yes, and a
	// job that ran `kill -9 $$`; first while they were queued, then after.
	queued := "81|N/A|PENDING|None|0|\n82|0-3%2|PENDING|None|0|\n83|N/A|PENDING|Priority|0|\n"
	ended := "82|0-3%2|CANCELLED|DependencyNeverSatisfied|0|\n81|N/A|FAILED|NonZeroExitCode|768|\n83|N/A|FAILED|JobLaunchFailure|9|\n"
	tests := []struct {
		name, out string
		want      []Task
	}{
		{"queued", queued, []Task{
			{Job: "81", Index: -1, State: "PENDING"},
			{Job: "82", Index: 0, State: "PENDING"}, {Job: "82", Index: 1, State: "PENDING"},
			{Job: "82", Index: 2, State: "PENDING"}, {Job: "82", Index: 3, State: "PENDING"},
			{Job: "83", Index: -1, State: "PENDING", Reason: "Priority"},
		}},
		{"ended", ended, []Task{
			{Job: "82", Index: 0, State: "CANCELLED", Reason: "DependencyNeverSatisfied"},
			{Job: "82", Index: 1, State: "CANCELLED", Reason: "DependencyNeverSatisfied"},
			{Job: "82", Index: 2, State: "CANCELLED", Reason: "DependencyNeverSatisfied"},
			{Job: "82", Index: 3, State: "CANCELLED", Reason: "DependencyNeverSatisfied"},
			// Exit status 3 is wait status 3<<8; signal 9 is wait status 9.
			{Job: "81", Index: -1, State: "FAILED", Reason: "NonZeroExitCode", Exit: 3},
			{Job: "83", Index: -1, State: "FAILED", Reason: "JobLaunchFailure", Signal: 9},
		}},
		{"running tasks", "12|3|RUNNING|None|0|\n12|0|COMPLETED|None|0|\n", []Task{
			{Job: "12", Index: 3, State: "RUNNING"}, {Job: "12", Index: 0, State: "COMPLETED"},
		}},
		{"empty", "\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseQuery(tc.out)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
	for _, bad := range []string{"12|N/A|RUNNING\n", "12|x-3|PENDING|None|0|\n", "12|5-3|PENDING|None|0|\n"} {
		if _, err := parseQuery(bad); err == nil {
			t.Errorf("parseQuery(%q) accepted it", bad)
		}
	}
}

func TestTaskIndices(t *testing.T) {
	tests := []struct {
		in   string
		want []int
	}{
		{"N/A", []int{-1}}, {"7", []int{7}}, {"2-4", []int{2, 3, 4}}, {"1,3,6-7", []int{1, 3, 6, 7}}, {"0-2%1", []int{0, 1, 2}},
	}
	for _, tc := range tests {
		if got, err := taskIndices(tc.in); err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("taskIndices(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestRequestArgs(t *testing.T) {
	r := Request{Name: "sdapipe:sample.a:parts", Dir: "/s", Output: "/s/ws/slurm/logs/sample.a.%A_%a.out",
		After: []string{"12", "14"}, Array: 4, Res: Resources{CPUs: 2, Memory: "1G", Flags: []string{"--qos=x"}}}
	want := []string{"--parsable", "--job-name=sdapipe:sample.a:parts", "--chdir=/s", "--output=/s/ws/slurm/logs/sample.a.%A_%a.out",
		"--dependency=afterok:12:14", "--kill-on-invalid-dep=yes", "--array=0-3", "--ntasks=1", "--cpus-per-task=2", "--mem=1G", "--qos=x"}
	if got := r.Args(); !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	r.After, r.Array = nil, 0
	for _, a := range r.Args() {
		if strings.HasPrefix(a, "--dependency") || strings.HasPrefix(a, "--kill-on-invalid-dep") || strings.HasPrefix(a, "--array") {
			t.Errorf("a job with no dependencies and no array got %s", a)
		}
	}
}

func TestRegistryRoundTrip(t *testing.T) {
	ws := t.TempDir()
	empty, err := loadRegistry(ws)
	if err != nil || len(empty.Stages) != 0 {
		t.Fatalf("no jobs.json: %v %v", empty, err)
	}
	r := &registry{Format: registryFormat, Stages: map[string]*entry{
		"sample.a": {Stage: "sample.a", Plan: "p", Snapshot: "s", Job: "14", Log: "/l", Array: "13", Tasks: 4,
			Submitted: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)},
	}}
	if err := r.save(ws); err != nil {
		t.Fatal(err)
	}
	got, err := loadRegistry(ws)
	if err != nil || fmt.Sprint(*got.Stages["sample.a"]) != fmt.Sprint(*r.Stages["sample.a"]) {
		t.Fatalf("round trip: %+v %v", got.Stages["sample.a"], err)
	}
	if jobs := got.Stages["sample.a"].jobs(); !slices.Equal(jobs, []string{"13", "14"}) {
		t.Errorf("jobs %v", jobs)
	}
	delete(r.Stages, "sample.a")
	if err := r.save(ws); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(registryPath(ws)); !os.IsNotExist(err) {
		t.Errorf("an empty registry leaves jobs.json behind: %v", err)
	}
	os.WriteFile(registryPath(ws), []byte(`{"format": 99}`), 0o644)
	if _, err := loadRegistry(ws); err == nil || !strings.Contains(err.Error(), "format 99") {
		t.Errorf("a registry of another format: %v", err)
	}
}

func TestLogTail(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i := range 30 {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	path := filepath.Join(dir, "a.out")
	os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	got := logTail(path)
	want := "last lines of " + path + ":\n    " + strings.Join(lines[10:], "\n    ")
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// A long log: only its last 8 KiB are read, and the cut line is dropped.
	long := strings.Repeat("x", 20000) + "\nend\n"
	os.WriteFile(path, []byte(long), 0o644)
	if got := logTail(path); got != "last lines of "+path+":\n    end" {
		t.Errorf("long log: %q", got)
	}
	os.WriteFile(path, nil, 0o644)
	if got := logTail(path); !strings.Contains(got, "is empty") {
		t.Errorf("empty log: %q", got)
	}
	if got := logTail(filepath.Join(dir, "none.out")); !strings.HasPrefix(got, "no log at ") {
		t.Errorf("missing log: %q", got)
	}
}

// TestScriptRecordsExitStatus runs a job script with a stand-in for the
// sdapipe binary, as Slurm would: it passes the share's arguments, sets
// GOMAXPROCS from the allocation, exits with the binary's status and
// leaves that status in the exit file.
func TestScriptRecordsExitStatus(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws")
	os.MkdirAll(exitDir(ws), 0o755)
	fake := filepath.Join(dir, "fake sdapipe") // a space, to check the quoting
	os.WriteFile(fake, []byte("#!/bin/sh\necho \"GOMAXPROCS=$GOMAXPROCS $*\"\nexit $FAKE_EXIT\n"), 0o755)
	cfg := loadFixture(t, "testdata/valid/layers.hcl")
	r := &run{Driver: &Driver{Config: cfg, Binary: fake, LogLevel: "debug", Force: map[string]bool{"sample.a": true}},
		ws: ws, snapshot: strings.Repeat("ab", 32)}
	tests := []struct {
		name  string
		sh    share
		env   []string
		code  int
		args  string
		exits string
	}{
		{"whole", whole, []string{"SLURM_JOB_ID=41", "SLURM_CPUS_PER_TASK=3"}, 0,
			"GOMAXPROCS=3 run-stage --workspace " + ws + " --snapshot " + r.snapshot + " --log-level debug --force sample.a", "41"},
		{"part", part, []string{"SLURM_JOB_ID=43", "SLURM_ARRAY_JOB_ID=42", "SLURM_ARRAY_TASK_ID=2"}, 3,
			"GOMAXPROCS= run-stage --workspace " + ws + " --snapshot " + r.snapshot + " --log-level debug --force --part 2 --parts 4 sample.a", "42_2"},
		{"gather", gather, []string{"SLURM_JOB_ID=44"}, 0,
			"GOMAXPROCS= run-stage --workspace " + ws + " --snapshot " + r.snapshot + " --log-level debug --force --gather 4 sample.a", "44"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("sh", "-c", r.script(cfg.Stage("sample.a"), tc.sh, 4))
			cmd.Env = append([]string{"PATH=/usr/bin:/bin", fmt.Sprintf("FAKE_EXIT=%d", tc.code)}, tc.env...)
			out, err := cmd.Output()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code || strings.TrimSpace(string(out)) != tc.args {
				t.Errorf("exit %d, output %q; want %d, %q", code, out, tc.code, tc.args)
			}
			if got, ok := readExit(ws, strings.Split(tc.exits, "_")[0], map[bool]int{true: 2, false: -1}[tc.sh == part]); !ok || got != tc.code {
				t.Errorf("exit file %s: %d %v, want %d", tc.exits, got, ok, tc.code)
			}
		})
	}
}
