package stages_test

import (
	"context"
	"path/filepath"
	"testing"

	"sdapipe/artifacts"
	"sdapipe/nets"
	"sdapipe/pipeline"
	"sdapipe/stage"
	"sdapipe/stages"
)

// flowStudy is a Kolmogorov study shrunk to seconds: a 32² simulation
// stored at 16², the test network, observations of every 2nd state
// coarsened by 2, guided and DPS samples, and the field evaluation.
const flowStudy = `
seed = 9
simulate "flow" {
  system       = "kolmogorov"
  trajectories = 20
  burn_in      = 2
  length       = 6
  kolmogorov {
    grid       = 32
    resolution = 16
  }
}
train "f" {
  data          = simulate.flow
  window        = 3
  network       = "flat"
  batch         = 8
  steps         = 20
  valid_every   = 10
  valid_windows = 8
  check_samples = 4
  check_steps   = 4
}
observe "c" {
  data   = simulate.flow
  length = 6
  count  = 2
  noise  = 0.1
  op "every" {
    n = 2
  }
  op "coarsen" {
    factor = 2
  }
}
sample "sda" {
  model        = train.f
  observations = observe.c
  samples      = 3
  steps        = 16
}
sample "dps" {
  model        = train.f
  observations = observe.c
  samples      = 3
  steps        = 16
  guidance     = "dps"
}
evaluate "c" {
  observations    = observe.c
  posteriors      = [sample.sda, sample.dps]
  physics_samples = 2
}
`

// TestFieldEvaluation: the evaluation of fields re-simulates samples with
// the solver, measures spectra and draws vorticity. The truth follows the
// dynamics, so its physics error (only the solver's own upsample-and-
// coarsen error, under 0.2 here) is far below that of samples from a
// barely trained network, and its residuals are the observation noise's.
func TestFieldEvaluation(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates and samples a flow (a few seconds)")
	}
	var built []nets.Window
	c := fieldCatalog(&built)
	c.Systems = append([]*stages.SystemKind{stages.Kolmogorov}, c.Systems...)
	reg := stage.NewRegistry(stages.Kinds(c)...)
	dir := t.TempDir()
	cfg, diags := pipeline.Load(reg, "f.hcl", dir, []byte(flowStudy), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg.Workspace = filepath.Join(dir, "ws")
	ws, err := pipeline.OpenWorkspace(cfg.Workspace)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&pipeline.Runner{Config: cfg, WS: ws, Jobs: 1}).Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	rec, _ := ws.Latest("evaluate.c")
	for _, out := range []string{"states", "spectra", "fields"} {
		if _, ok := rec.Output(out); !ok {
			t.Errorf("evaluate wrote no %s", out)
		}
	}
	o, _ := rec.Output("metrics")
	tab, err := artifacts.ReadArrowFile(ws.OutPath("evaluate.c", o))
	if err != nil {
		t.Fatal(err)
	}
	stg, met, val := tab.Columns[0].Data.([]string), tab.Columns[2].Data.([]string), tab.Columns[3].Data.([]float64)
	med := map[string]map[string]float64{} // set 0's values
	obs := tab.Columns[1].Data.([]int64)
	for i := range stg {
		if obs[i] != 0 {
			continue
		}
		if med[stg[i]] == nil {
			med[stg[i]] = map[string]float64{}
		}
		med[stg[i]][met[i]] = val[i]
	}
	for _, st := range []string{"sample.sda", "sample.dps", "truth"} {
		m := med[st]
		t.Logf("%-12s physics %.3g (resid %.3g), spectrum %.3g, resid_std %.3g, rmse %.3g", st,
			m["physics_error"], m["physics_resid_std"], m["spectrum_error"], m["resid_std"], m["rmse"])
	}
	truth, sda := med["truth"], med["sample.sda"]
	if !(truth["physics_error"] < 0.2) || !(truth["physics_error"] < sda["physics_error"]) {
		t.Errorf("physics error: truth %.3f, samples %.3f", truth["physics_error"], sda["physics_error"])
	}
	if _, ok := sda["spectrum_error"]; !ok {
		t.Error("no spectrum error for the samples")
	}
}
