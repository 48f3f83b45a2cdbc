package stages_test

import (
	"context"
	"path/filepath"
	"testing"

	"sdapipe/pipeline"
	"sdapipe/stages"
)

// splitStudy trains a very small network briefly: 3 observation sets × 10
// samples in chunks of 4 make 8 units of sample's work.
const splitStudy = `
seed = 5
simulate "lorenz" {
  trajectories = 40
  burn_in      = 64
  length       = 64
}
train "k2" {
  data          = simulate.lorenz
  window        = 5
  steps         = 60
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
sample "a" {
  model        = train.k2
  observations = observe.lo
  samples      = 10
  steps        = 8
  chunk        = 4
}
`

// TestSampleInPartsMatchesWhole runs sample's units in parts, as the tasks
// of a job array do, and gathers them: the outputs are the bytes the
// in-process run writes, for any number of parts, including more parts
// than units.
func TestSampleInPartsMatchesWhole(t *testing.T) {
	dir := t.TempDir()
	cfg, diags := pipeline.Load(stages.Default(), "split.hcl", dir, []byte(splitStudy), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ws, err := pipeline.OpenWorkspace(filepath.Join(dir, "ws"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&pipeline.Runner{Config: cfg, WS: ws, Jobs: 1}).Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	whole := res[len(res)-1]
	if whole.Addr != "sample.a" {
		t.Fatalf("last stage %s", whole.Addr)
	}
	prev := whole.Record.Started
	for _, parts := range []int{2, 3, 8, 11} {
		// Forced, the jobs recompute what the runner wrote and write the
		// record of the same key again.
		for i := range parts {
			if _, err := pipeline.RunJob(context.Background(), cfg, ws, pipeline.Job{Addr: "sample.a", Part: i, Parts: parts, Force: true}); err != nil {
				t.Fatalf("part %d of %d: %v", i, parts, err)
			}
		}
		if _, err := pipeline.RunJob(context.Background(), cfg, ws, pipeline.Job{Addr: "sample.a", Parts: parts, Gather: true, Force: true}); err != nil {
			t.Fatalf("gather %d: %v", parts, err)
		}
		rec, err := ws.Record(whole.Key)
		if err != nil || rec == nil {
			t.Fatalf("%d parts: no record for the key the runner used: %v", parts, err)
		}
		if !rec.Started.After(prev) {
			t.Fatalf("%d parts: the record was not rewritten", parts)
		}
		prev = rec.Started
		for _, o := range whole.Record.Outputs {
			got, _ := rec.Output(o.Name)
			if got.Digest != o.Digest {
				t.Errorf("%d parts: %s is %s, the whole run's %s", parts, o.Name, got.Digest.String()[:12], o.Digest.String()[:12])
			}
		}
	}
}
