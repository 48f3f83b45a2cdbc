package slurm

import (
	"fmt"
	"path/filepath"
	"strings"

	"sdapipe/pipeline"
)

// A share is what one job does for its stage.
type share int

const (
	whole  share = iota // the whole stage
	part                // one task of the array of a split stage
	gather              // the gather step after the array
)

// quote quotes s for a POSIX shell.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// script returns the batch script of one job: it runs the stage's share
// with the driver's binary on the config snapshot, then records its exit
// status in an exit file (written to a temporary name and renamed, so a
// reader never sees half of it) for when Slurm has forgotten the job.
// GOMAXPROCS follows the CPUs Slurm allocated, so a job does not run more
// threads than it was given where Slurm does not pin it; results do not
// depend on GOMAXPROCS.
func (r *run) script(st *pipeline.Stage, sh share, tasks int) string {
	args := []string{quote(r.Binary), "run-stage", "--workspace", quote(r.ws), "--snapshot", r.snapshot,
		"--log-level", quote(r.LogLevel)}
	if r.Force[st.Addr] {
		args = append(args, "--force")
	}
	exit := quote(exitDir(r.ws)+"/") + `"$SLURM_JOB_ID"`
	switch sh {
	case part:
		args = append(args, "--part", `"$SLURM_ARRAY_TASK_ID"`, "--parts", fmt.Sprint(tasks))
		exit = quote(exitDir(r.ws)+"/") + `"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"`
	case gather:
		args = append(args, "--gather", fmt.Sprint(tasks))
	}
	args = append(args, quote(st.Addr))
	return fmt.Sprintf(`#!/bin/sh
# sdapipe: %s of stage %s
if [ -n "${SLURM_CPUS_PER_TASK:-}" ]; then GOMAXPROCS=$SLURM_CPUS_PER_TASK; export GOMAXPROCS; fi
%s
status=$?
exit_file=%s
printf '%%s\n' "$status" >"$exit_file.tmp" && mv -f "$exit_file.tmp" "$exit_file"
exit "$status"
`, [...]string{"the whole", "one part", "the gather step"}[sh], st.Addr, strings.Join(args, " "), exit)
}

// request builds the sbatch request of one share of a stage.
func (r *run) request(st *pipeline.Stage, sh share, tasks int, after []string) Request {
	req := Request{
		Name:   "sdapipe:" + st.Addr,
		Script: r.script(st, sh, tasks),
		Dir:    r.Config.Dir,
		Output: filepath.Join(logDir(r.ws), st.Addr+".%j.out"),
		After:  after,
		Res:    r.Settings.For(st),
	}
	switch sh {
	case part:
		req.Name += ":parts"
		req.Output = filepath.Join(logDir(r.ws), st.Addr+".%A_%a.out")
		req.Array = tasks
	case gather:
		req.Name += ":gather"
	}
	return req
}
