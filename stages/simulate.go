package stages

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"sdapipe/artifacts"
	"sdapipe/dynamics"
	"sdapipe/stage"
)

// newSimulate returns the simulate kind: trajectories of one of the
// catalog's systems, standardised and split 80/10/10 in trajectory order
// (docs/method.md §1).
func newSimulate(c *Catalog) *stage.Kind {
	k := &stage.Kind{
		Name:    "simulate",
		Version: 1,
		Doc:     "simulate trajectories of a dynamical system and split them into train, valid and test sets",
		Params: []stage.ParamSpec{
			{Name: "system", Type: stage.String, Default: "lorenz63", Choices: c.systemNames(),
				Doc: "the dynamical system"},
			{Name: "trajectories", Type: stage.Int, Default: int64(1024), Min: stage.Bound(10), Max: stage.Bound(1 << 20),
				Doc: "independent trajectories, split 80/10/10 into train, valid and test"},
			{Name: "burn_in", Type: stage.Int, Default: int64(1024), Min: stage.Bound(0), Max: stage.Bound(1 << 24),
				Doc: "transitions from the initial draw before recording starts"},
			{Name: "length", Type: stage.Int, Default: int64(1024), Min: stage.Bound(1), Max: stage.Bound(1 << 24),
				Doc: "recorded states per trajectory"},
		},
		Outputs: []stage.OutputSpec{
			{Name: "train", Schema: "trajectories", Doc: "the first 80% of the trajectories"},
			{Name: "valid", Schema: "trajectories", Doc: "the next 10%"},
			{Name: "test", Schema: "trajectories", Doc: "the last 10%"},
			{Name: "standardization", Schema: "standardization", Doc: "mean and scale per state variable or channel"},
			{Name: "system", Schema: "system", Doc: "which dynamical system made the data"},
			{Name: "figure", Schema: "figure", Optional: true, Doc: "snapshots of test trajectories, for systems that draw them (fields: vorticity)"},
		},
		Check: func(p *stage.Params) []stage.ParamError { return checkSimulate(c, p) },
		Run:   func(ctx context.Context, env *stage.Env) error { return runSimulate(ctx, env, c) },
	}
	for _, s := range c.Systems {
		if len(s.Settings) > 0 {
			k.Blocks = append(k.Blocks, stage.BlockSpec{Name: s.Name, Variant: "system", Params: s.Settings,
				Doc: "settings of " + s.Doc})
		}
	}
	return k
}

// maxValues bounds what a simulate stage holds in memory at once.
const maxValues = 1 << 28

func checkSimulate(c *Catalog, p *stage.Params) []stage.ParamError {
	sys, kind, err := c.buildSystem(p)
	if err != nil {
		param := "system"
		if kind != nil && len(kind.Settings) > 0 {
			param = kind.Name
			var se *stage.SettingError
			if errors.As(err, &se) {
				param += "." + se.Setting
			}
		}
		return []stage.ParamError{{Param: param, Detail: err.Error() + "."}}
	}
	n, l, d := int64(p.Int("trajectories")), int64(p.Int("length")), int64(dynamics.ShapeSize(sys.StateShape()))
	if n*l*d > maxValues {
		return []stage.ParamError{{Param: "trajectories", Detail: fmt.Sprintf(
			"trajectories × length × values per state = %d is more than the 2^28 sdapipe holds in memory at once; use fewer or shorter trajectories.", n*l*d)}}
	}
	return nil
}

func runSimulate(ctx context.Context, env *stage.Env, c *Catalog) error {
	p := env.Params
	sys, kind, err := c.buildSystem(p)
	if err != nil {
		return err
	}
	n, burnIn, length := p.Int("trajectories"), p.Int("burn_in"), p.Int("length")
	shape := sys.StateShape()
	d := dynamics.ShapeSize(shape)
	bar := env.StartProgress("simulate", int64(n))
	var mu sync.Mutex
	x, err := sys.Simulate(ctx, n, burnIn, length, env.StreamUint64("trajectories"), func() {
		mu.Lock()
		bar.Add(1)
		mu.Unlock()
	})
	bar.Done()
	if err != nil {
		return err
	}
	nTrain, nValid, nTest := dynamics.Split(n)
	per := length * d
	parts := []struct {
		name       string
		first, cnt int
	}{{"train", 0, nTrain}, {"valid", nTrain, nValid}, {"test", nTrain + nValid, nTest}}
	for _, part := range parts {
		a := artifacts.NewFloat32(append([]int{part.cnt, length}, shape...), x[part.first*per:(part.first+part.cnt)*per])
		if err := env.WriteArray(part.name, a, map[string]int{"time": length}, shape...); err != nil {
			return err
		}
	}
	if pv, ok := sys.(previewer); ok {
		test := x[(nTrain+nValid)*per:]
		png, err := pv.Preview(env.Addr+": test trajectories", test, nTest, length)
		if err != nil {
			return fmt.Errorf("figure: %w", err)
		}
		if err := env.WriteBytes("figure", png); err != nil {
			return err
		}
	}
	st := sys.Standardization()
	err = env.WriteNPZ("standardization", []artifacts.NamedArray{
		{Name: "mean", Array: artifacts.NewFloat64([]int{len(st.Mean)}, st.Mean)},
		{Name: "scale", Array: artifacts.NewFloat64([]int{len(st.Scale)}, st.Scale)},
	})
	if err != nil {
		return err
	}
	return env.WriteJSON("system", systemInfo(kind.Name, sys, p.Block(kind.Name)))
}

// A previewer is a system that draws its trajectories (n, length,
// state...), physical units, for people to look at.
type previewer interface {
	Preview(title string, x []float32, n, length int) ([]byte, error)
}
