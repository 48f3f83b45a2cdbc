package stages_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"sdapipe/artifacts"
	"sdapipe/pipeline"
	"sdapipe/stages"
)

// TestKolmogorovSimulate runs the Kolmogorov system through the simulate
// stage at a small size: velocity fields (trajectory, time, 2, R, R),
// identity standardisation per channel, a vorticity figure.
func TestKolmogorovSimulate(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a flow (about 1 s)")
	}
	const src = `
seed = 3
simulate "flow" {
  system       = "kolmogorov"
  trajectories = 10
  burn_in      = 2
  length       = 4
  kolmogorov {
    grid       = 32
    resolution = 16
  }
}
`
	dir := t.TempDir()
	cfg, diags := pipeline.Load(stages.Default(), "k.hcl", dir, []byte(src), nil)
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
	rec, _ := ws.Latest("simulate.flow")
	for name, want := range map[string][]int{"train": {8, 4, 2, 16, 16}, "test": {1, 4, 2, 16, 16}} {
		o, _ := rec.Output(name)
		a, err := artifacts.ReadNPYFile(ws.OutPath("simulate.flow", o))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Shape, want) {
			t.Errorf("%s has shape %v, want %v", name, a.Shape, want)
		}
		x, _ := a.Float32()
		var e float64
		for _, v := range x {
			e += float64(v) * float64(v)
		}
		// Mean kinetic energy of the flow after a short burn-in from an
		// initial field of max speed 3: of order 1, never 0 or huge.
		if e /= float64(len(x)); !(e > 0.05 && e < 10) {
			t.Errorf("%s: mean squared velocity %.3g", name, e)
		}
	}
	o, _ := rec.Output("standardization")
	ms, err := artifacts.ReadNPZFile(ws.OutPath("simulate.flow", o))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		v, _ := m.Array.Float64()
		want := map[string]float64{"mean": 0, "scale": 1}[m.Name]
		if len(v) != 2 || v[0] != want || v[1] != want {
			t.Errorf("standardization %s = %v, want [%v %v]", m.Name, v, want, want)
		}
	}
	if _, ok := rec.Output("figure"); !ok {
		t.Error("no vorticity figure")
	}
}
