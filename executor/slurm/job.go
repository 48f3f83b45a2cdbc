package slurm

import (
	"context"
	"fmt"

	"sdapipe/pipeline"
	"sdapipe/stage"
)

// RunJob is the body of a batch job (sdapipe run-stage): it loads the
// config snapshot the driver stored in the workspace, with the stage
// kinds of reg, and runs the job's share of its stage (pipeline.RunJob).
func RunJob(ctx context.Context, reg *stage.Registry, workspace, snapshot string, job pipeline.Job) (pipeline.Outcome, error) {
	snap, err := readSnapshot(workspace, snapshot)
	if err != nil {
		return pipeline.Failed, err
	}
	cfg, diags := pipeline.Load(reg, snap.Filename, snap.Dir, []byte(snap.Source), snap.Overrides)
	if diags.HasErrors() {
		return pipeline.Failed, fmt.Errorf("load the config snapshot %s: %w", snapshot, diags)
	}
	cfg.Workspace = workspace
	ws, err := pipeline.OpenWorkspace(workspace)
	if err != nil {
		return pipeline.Failed, err
	}
	return pipeline.RunJob(ctx, cfg, ws, job)
}
