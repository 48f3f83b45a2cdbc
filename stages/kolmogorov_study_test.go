package stages_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"sdapipe/artifacts"
	"sdapipe/pipeline"
	"sdapipe/stages"
)

// kolmogorovShrink shrinks studies/kolmogorov.hcl to seconds without
// changing its graph or its operators: a 32² simulation stored at 32², a
// tiny U-Net trained for a few steps, few sampler steps.
var kolmogorovShrink = []string{
	"simulate.flow.trajectories=40", "simulate.flow.burn_in=2", "simulate.flow.length=32",
	"simulate.flow.kolmogorov.grid=32",
	"train.unet.steps=3", "train.unet.batch=4", "train.unet.valid_every=3", "train.unet.valid_windows=4",
	"train.unet.check_samples=2", "train.unet.check_steps=2", "train.unet.unet.widths=[4, 8, 16]", "train.unet.unet.blocks=1",
}

// TestKolmogorovStudyShrunk runs the whole field study through the real
// stages: every scenario's SDA and DPS samples are scored (residual std,
// physics check, spectra) and drawn.
func TestKolmogorovStudyShrunk(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the field study shrunk (about 20 s)")
	}
	probe, diags := pipeline.LoadFile(stages.Default(), "../studies/kolmogorov.hcl", nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	sets := append([]string(nil), kolmogorovShrink...)
	for _, st := range probe.Stages {
		if st.Kind.Name == "sample" {
			sets = append(sets, st.Addr+".steps=3")
		}
	}
	cfg, diags := pipeline.LoadFile(stages.Default(), "../studies/kolmogorov.hcl", sets)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg.Workspace = filepath.Join(t.TempDir(), "ws")
	ws, err := pipeline.OpenWorkspace(cfg.Workspace)
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&pipeline.Runner{Config: cfg, WS: ws, Jobs: 2}).Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(cfg.Stages) || len(res) < 25 {
		t.Fatalf("%d results for %d stages", len(res), len(cfg.Stages))
	}
	for _, addr := range cfg.Addrs() {
		if !strings.HasPrefix(addr, "evaluate.") {
			continue
		}
		rec, _ := ws.Latest(addr)
		for _, out := range []string{"metrics", "summary", "fields", "states", "spectra"} {
			if _, ok := rec.Output(out); !ok {
				t.Errorf("%s wrote no %s", addr, out)
			}
		}
		o, _ := rec.Output("metrics")
		tab, err := artifacts.ReadArrowFile(ws.OutPath(addr, o))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		stg, met := tab.Columns[0].Data.([]string), tab.Columns[2].Data.([]string)
		for i := range stg {
			seen[stg[i]+" "+met[i]] = true
		}
		scenario := strings.TrimPrefix(addr, "evaluate.")
		for _, g := range []string{"sda", "dps"} {
			for _, m := range []string{"resid_std", "physics_error", "physics_resid_std"} {
				if !seen["sample."+scenario+"_"+g+" "+m] {
					t.Errorf("%s has no %s of sample.%s_%s", addr, m, scenario, g)
				}
			}
		}
	}
}
