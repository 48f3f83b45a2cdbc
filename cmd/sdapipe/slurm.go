package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/hcl/v2"

	"sdapipe/executor/slurm"
	"sdapipe/pipeline"
	"sdapipe/stages"
)

// checkExecutors decodes the file's executor blocks: sdapipe knows
// "slurm" (the local executor has no settings).
func checkExecutors(cfg *pipeline.Config) (*slurm.Settings, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	for _, b := range cfg.Executors {
		if b.Name != "slurm" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown executor",
				Detail:   fmt.Sprintf("There is no executor %q to configure; the slurm executor takes settings, the local one none.", b.Name),
				Subject:  b.NameRange.Ptr(),
			})
		}
	}
	s, d := slurm.Decode(cfg)
	return s, append(diags, d...)
}

// runSlurm runs the pipeline with the slurm executor.
func runSlurm(ctx context.Context, c *common, cfg *pipeline.Config, ws *pipeline.Workspace, log hclog.Logger,
	tgts []string, forced map[string]bool) ([]*pipeline.Result, error) {
	for _, cmd := range []string{"sbatch", "squeue", "scancel", "sinfo"} {
		if _, err := exec.LookPath(cmd); err != nil {
			return nil, usagef("--executor slurm: %s is not on PATH; run on a machine that can submit Slurm jobs", cmd)
		}
	}
	if err := (slurm.CLI{}).Ping(ctx); err != nil {
		return nil, fmt.Errorf("--executor slurm: Slurm does not answer (is SLURM_CONF set?): %w", err)
	}
	bin, err := os.Executable()
	if err == nil {
		bin, err = filepath.EvalSymlinks(bin)
	}
	if err != nil {
		return nil, fmt.Errorf("--executor slurm: find the sdapipe binary for the jobs: %w", err)
	}
	d := &slurm.Driver{Config: cfg, WS: ws, Settings: c.slurm, Cluster: slurm.CLI{}, Binary: bin,
		LogLevel: c.logLevel, Log: log, Force: forced}
	return d.Run(ctx, tgts)
}

// warnInFlight warns a local run about Slurm jobs an earlier driver left
// in flight: they would compute the same stages again, side by side.
func warnInFlight(ctx context.Context, ws string, log hclog.Logger) {
	flights, err := slurm.Flights(ctx, ws, nil)
	if err != nil || len(flights) == 0 {
		return
	}
	var jobs []string
	for _, f := range flights {
		jobs = append(jobs, f.Stage+" ("+f.Jobs+")")
	}
	log.Warn("an earlier Slurm run left jobs that may still be queued or running: " + strings.Join(jobs, ", ") +
		"; run with --executor slurm to re-attach to them, or scancel them")
}

// refuseWhileJobsRun stops gc while Slurm jobs of an earlier run may
// still write to the workspace: their objects are not referenced by any
// record until they end, and gc would remove them.
func refuseWhileJobsRun(ctx context.Context, ws string) error {
	var running []string
	for _, f := range flightsByStage(ctx, ws) {
		if f.Live {
			running = append(running, f.Stage+" ("+f.Jobs+", "+f.State+")")
		}
	}
	if len(running) == 0 {
		return nil
	}
	slices.Sort(running)
	return fmt.Errorf("Slurm jobs of an earlier run may still write to the workspace: %s; run 'sdapipe run --executor slurm' to re-attach and let them finish, or scancel them",
		strings.Join(running, ", "))
}

// flightsByStage returns the workspace's jobs in flight, with their
// states when squeue is at hand.
func flightsByStage(ctx context.Context, ws string) map[string]slurm.InFlight {
	var cluster slurm.Cluster
	if _, err := exec.LookPath("squeue"); err == nil {
		cluster = slurm.CLI{}
	}
	flights, err := slurm.Flights(ctx, ws, cluster)
	if err != nil {
		return nil
	}
	out := map[string]slurm.InFlight{}
	for _, f := range flights {
		out[f.Stage] = f
	}
	return out
}

// cmdRunStage is what a Slurm job runs: one stage, one part of a split
// stage or its gather step, on the config snapshot the driver stored.
func cmdRunStage(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("run-stage", &c)
	snapshot := fs.String("snapshot", "", "config snapshot name")
	force := fs.Bool("force", false, "rerun even if cached")
	part := fs.Int("part", -1, "part index")
	parts := fs.Int("parts", 0, "number of parts")
	gatherN := fs.Int("gather", 0, "gather that many parts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || c.workspace == "" || *snapshot == "" {
		return usagef("run-stage is what sdapipe's Slurm jobs run: run-stage --workspace DIR --snapshot NAME [--part I --parts N | --gather N] STAGE")
	}
	job := pipeline.Job{Addr: fs.Arg(0), Force: *force}
	switch {
	case *gatherN > 0 && *parts == 0 && *part < 0:
		job.Parts, job.Gather = *gatherN, true
	case *parts > 0 && *gatherN == 0 && *part >= 0 && *part < *parts:
		job.Part, job.Parts = *part, *parts
	case *parts != 0 || *gatherN != 0 || *part >= 0:
		return usagef("run-stage: give --part I with --parts N (0 ≤ I < N), or --gather N")
	}
	bars := newProgress(stderr)
	log, err := c.logger(bars.logOutput())
	if err != nil {
		return err
	}
	job.Log, job.Progress = log.Named(job.Addr), bars.start(log)
	ws, err := filepath.Abs(c.workspace)
	if err != nil {
		return usagef("--workspace %q: %v", c.workspace, err)
	}
	outcome, err := slurm.RunJob(ctx, stages.Default(), ws, *snapshot, job)
	bars.wait()
	if err == nil {
		fmt.Fprintf(stdout, "%s %s\n", job.Addr, outcome)
	}
	return err
}
