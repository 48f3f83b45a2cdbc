package stages

import (
	"context"
	"fmt"

	"sdapipe/artifacts"
	"sdapipe/dynamics"
	"sdapipe/stage"
)

// systems maps the names accepted by simulate's system parameter to the
// dynamical systems of package dynamics.
var systems = map[string]func() dynamics.System{
	"lorenz63": func() dynamics.System { return dynamics.NewLorenz63() },
}

// Simulate draws trajectories of a stochastic dynamical system (method
// spec §1.1), standardises them and splits them 80/10/10 in trajectory
// order.
var Simulate = &stage.Kind{
	Name:    "simulate",
	Version: 1,
	Doc:     "simulate trajectories of a dynamical system and split them into train, valid and test sets",
	Params: []stage.ParamSpec{
		{Name: "system", Type: stage.String, Default: "lorenz63", Choices: []string{"lorenz63"},
			Doc: "the dynamical system"},
		{Name: "trajectories", Type: stage.Int, Default: int64(1024), Min: stage.Bound(10), Max: stage.Bound(1 << 20),
			Doc: "independent trajectories, split 80/10/10 into train, valid and test"},
		{Name: "burn_in", Type: stage.Int, Default: int64(1024), Min: stage.Bound(0), Max: stage.Bound(1 << 24),
			Doc: "transitions from the prior draw before recording starts"},
		{Name: "length", Type: stage.Int, Default: int64(1024), Min: stage.Bound(1), Max: stage.Bound(1 << 24),
			Doc: "recorded states per trajectory"},
	},
	Outputs: []stage.OutputSpec{
		{Name: "train", Schema: "trajectories", Doc: "the first 80% of the trajectories"},
		{Name: "valid", Schema: "trajectories", Doc: "the next 10%"},
		{Name: "test", Schema: "trajectories", Doc: "the last 10%"},
		{Name: "standardization", Schema: "standardization", Doc: "mean and scale per state variable"},
		{Name: "system", Schema: "system", Doc: "which dynamical system made the data"},
	},
	Check: func(p *stage.Params) []stage.ParamError {
		n, l := int64(p.Int("trajectories")), int64(p.Int("length"))
		if n*l > 1<<28 {
			return []stage.ParamError{{Param: "trajectories", Detail: fmt.Sprintf(
				"trajectories × length = %d states is more than the 2^28 sdapipe holds in memory at once; use fewer or shorter trajectories.", n*l)}}
		}
		return nil
	},
	Run: runSimulate,
}

func runSimulate(ctx context.Context, env *stage.Env) error {
	p := env.Params
	sys := systems[p.String("system")]()
	n, burnIn, length, d := p.Int("trajectories"), p.Int("burn_in"), p.Int("length"), sys.Dim()
	bar := env.StartProgress("simulate", 1)
	x, err := dynamics.Generate(sys, n, burnIn, length, env.StreamUint64("trajectories"))
	bar.Add(1)
	bar.Done()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	sys.Standardize(x, x)
	nTrain, nValid, nTest := dynamics.Split(n)
	per := length * d
	parts := []struct {
		name       string
		first, cnt int
	}{{"train", 0, nTrain}, {"valid", nTrain, nValid}, {"test", nTrain + nValid, nTest}}
	for _, part := range parts {
		data := make([]float32, part.cnt*per)
		for i, v := range x[part.first*per : (part.first+part.cnt)*per] {
			data[i] = float32(v)
		}
		a := artifacts.NewFloat32([]int{part.cnt, length, d}, data)
		if err := env.WriteArray(part.name, a, map[string]int{"state": d, "time": length}); err != nil {
			return err
		}
	}
	mean, scale := StandardizationOf(sys)
	err = env.WriteNPZ("standardization", []artifacts.NamedArray{
		{Name: "mean", Array: artifacts.NewFloat64([]int{d}, mean)},
		{Name: "scale", Array: artifacts.NewFloat64([]int{d}, scale)},
	})
	if err != nil {
		return err
	}
	return env.WriteJSON("system", SystemInfo{Name: p.String("system"), Dim: d, NoiseVar: sys.NoiseVar(), Mean: mean, Scale: scale})
}

// SystemInfo is simulate's system output: the system's name, by which
// later stages rebuild it, and the facts a notebook needs.
type SystemInfo struct {
	Name     string    `json:"name"`
	Dim      int       `json:"dim"`
	NoiseVar float64   `json:"noise_var"`
	Mean     []float64 `json:"mean"`
	Scale    []float64 `json:"scale"`
}

// systemOf rebuilds the dynamical system that made an upstream simulate
// stage's data, from its system output.
func systemOf(env *stage.Env, param string) (dynamics.System, error) {
	var info SystemInfo
	if err := env.ReadJSON(param, "system", &info); err != nil {
		return nil, err
	}
	mk, ok := systems[info.Name]
	if !ok {
		return nil, fmt.Errorf("unknown system %q in %s", info.Name, env.Inputs[param].Addr)
	}
	sys := mk()
	if sys.Dim() != info.Dim {
		return nil, fmt.Errorf("system %s has %d variables, data say %d", info.Name, sys.Dim(), info.Dim)
	}
	return sys, nil
}

// StandardizationOf recovers the per-variable mean and scale of a system's
// affine standardisation x̃ = (x − mean)/scale from its images of 0 and 1.
// For Lorenz 63 the constants are read exactly from its fields.
func StandardizationOf(sys dynamics.System) (mean, scale []float64) {
	if l, ok := sys.(*dynamics.Lorenz63); ok {
		return l.Mean[:], l.Scale[:]
	}
	d := sys.Dim()
	zero, one := make([]float64, d), make([]float64, d)
	for i := range one {
		one[i] = 1
	}
	sys.Standardize(zero, zero)
	sys.Standardize(one, one)
	mean, scale = make([]float64, d), make([]float64, d)
	for i := range d {
		scale[i] = 1 / (one[i] - zero[i])
		mean[i] = -zero[i] * scale[i]
	}
	return mean, scale
}
