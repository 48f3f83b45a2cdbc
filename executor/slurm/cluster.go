package slurm

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A Request is one sbatch submission.
type Request struct {
	Name   string   // --job-name
	Script string   // the batch script, given to sbatch on its standard input
	Dir    string   // --chdir, absolute
	Output string   // --output, absolute; %j is the job id, %A_%a array and task
	After  []string // job ids that must complete first (afterok, --kill-on-invalid-dep=yes)
	Array  int      // > 0: a job array of tasks 0 to Array-1
	Res    Resources
}

// Args returns the request's sbatch options.
func (r Request) Args() []string {
	args := []string{"--parsable", "--job-name=" + r.Name, "--chdir=" + r.Dir, "--output=" + r.Output}
	if len(r.After) > 0 {
		args = append(args, "--dependency=afterok:"+strings.Join(r.After, ":"), "--kill-on-invalid-dep=yes")
	}
	if r.Array > 0 {
		args = append(args, fmt.Sprintf("--array=0-%d", r.Array-1))
	}
	return append(args, r.Res.Args()...)
}

// A Task is the state of a job, or of one task of a job array, as Slurm
// reports it.
type Task struct {
	Job    string // the job id; for a task of an array, the array's job id
	Index  int    // the task's index in the array; -1 for a job that is not an array
	State  string // PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ...
	Reason string // why it is pending or why it ended, e.g. Dependency, NonZeroExitCode
	Exit   int    // exit status of the batch script, once it ended
	Signal int    // signal that ended it, or 0
}

// A Cluster is what the driver needs of Slurm. CLI is the real one.
type Cluster interface {
	// Submit submits a job and returns its id.
	Submit(ctx context.Context, r Request) (string, error)
	// Query returns the state of every task of the given jobs that Slurm
	// still knows; finished jobs drop out after the cluster's MinJobAge.
	Query(ctx context.Context, jobs []string) ([]Task, error)
	// Cancel cancels jobs (all tasks of an array); jobs that already
	// ended are not an error.
	Cancel(ctx context.Context, jobs []string) error
}

// CLI drives Slurm through its commands sbatch, squeue and scancel, found
// on PATH. They find the cluster as usual, through SLURM_CONF or the
// system's slurm.conf.
type CLI struct {
	// Timeout bounds each command; 0 means a minute.
	Timeout time.Duration
}

// environ is this process's environment without the SLURM_ and SQUEUE_
// variables that describe a job allocation or change squeue's output,
// so that a driver that itself runs as a Slurm job submits clean jobs.
// SLURM_CONF, which says where the cluster is, stays, and so do the
// SBATCH_ defaults a user sets on purpose.
func environ() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if (strings.HasPrefix(name, "SLURM_") && name != "SLURM_CONF") || strings.HasPrefix(name, "SQUEUE_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func (c CLI) run(ctx context.Context, stdin string, name string, args ...string) (string, error) {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = environ()
	detach(cmd)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return stdout.String(), &commandError{cmd: name, msg: msg}
	}
	return stdout.String(), nil
}

// A commandError is a Slurm command that failed, with what it said.
type commandError struct{ cmd, msg string }

func (e *commandError) Error() string {
	if strings.HasPrefix(e.msg, e.cmd+":") {
		return e.msg
	}
	return e.cmd + ": " + e.msg
}

// Ping checks that the Slurm controller answers, with sinfo.
func (c CLI) Ping(ctx context.Context) error {
	_, err := c.run(ctx, "", "sinfo", "--noheader", "--summarize")
	return err
}

var jobIDRE = regexp.MustCompile(`^([0-9]+)(;.*)?$`)

// Submit runs sbatch --parsable with the script on standard input.
func (c CLI) Submit(ctx context.Context, r Request) (string, error) {
	out, err := c.run(ctx, r.Script, "sbatch", r.Args()...)
	if err != nil {
		return "", err
	}
	m := jobIDRE.FindStringSubmatch(strings.TrimSpace(out))
	if m == nil {
		return "", fmt.Errorf("sbatch: unexpected output %q", strings.TrimSpace(out))
	}
	return m[1], nil
}

// queryFormat asks squeue for the fields of a Task, '|'-separated. The
// exit code is the raw wait status of the batch script.
const queryFormat = "ArrayJobID:|,ArrayTaskID:|,State:|,Reason:|,exit_code:|"

// Query runs squeue over all job states. squeue fails when none of the
// ids is known, which is the same answer as an empty list.
func (c CLI) Query(ctx context.Context, jobs []string) ([]Task, error) {
	if len(jobs) == 0 {
		return nil, nil
	}
	out, err := c.run(ctx, "", "squeue", "--noheader", "--states=all", "--jobs="+strings.Join(jobs, ","), "--Format="+queryFormat)
	if err != nil {
		if strings.Contains(err.Error(), "Invalid job id") {
			return nil, nil
		}
		return nil, err
	}
	return parseQuery(out)
}

// parseQuery parses squeue output in queryFormat. A pending range of array
// tasks ("2-5", "1,3", "0-7%2") becomes one Task per index.
func parseQuery(out string) ([]Task, error) {
	var tasks []Task
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) < 5 {
			return nil, fmt.Errorf("squeue: unexpected line %q", line)
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		t := Task{Job: f[0], State: f[2], Reason: f[3]}
		if t.Reason == "None" {
			t.Reason = ""
		}
		if ws, err := strconv.Atoi(f[4]); err == nil {
			t.Exit, t.Signal = (ws>>8)&0xff, ws&0x7f
		}
		indices, err := taskIndices(f[1])
		if err != nil {
			return nil, fmt.Errorf("squeue: %w in line %q", err, line)
		}
		for _, i := range indices {
			t.Index = i
			tasks = append(tasks, t)
		}
	}
	return tasks, nil
}

// taskIndices expands squeue's ArrayTaskID: "N/A" (no array), "3",
// "2-5", "1,3,6-7", each possibly followed by "%limit".
func taskIndices(s string) ([]int, error) {
	if s == "N/A" || s == "" {
		return []int{-1}, nil
	}
	s, _, _ = strings.Cut(s, "%")
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("bad array task id %q", s)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a || b-a > 1<<20 {
				return nil, fmt.Errorf("bad array task id %q", s)
			}
		}
		for i := a; i <= b; i++ {
			out = append(out, i)
		}
	}
	return out, nil
}

// Cancel runs scancel. It ignores scancel's complaints about jobs that
// have already ended or that Slurm no longer knows.
func (c CLI) Cancel(ctx context.Context, jobs []string) error {
	if len(jobs) == 0 {
		return nil
	}
	_, err := c.run(ctx, "", "scancel", jobs...)
	if err != nil && (strings.Contains(err.Error(), "already completing or completed") ||
		strings.Contains(err.Error(), "Invalid job id")) {
		return nil
	}
	return err
}
