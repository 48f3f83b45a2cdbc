package stages

import (
	"context"
	"fmt"
	"slices"

	"sdapipe/dynamics"
	"sdapipe/internal/floats"
	"sdapipe/stage"
)

// A SystemKind is a dynamical system that simulate stages run, chosen by
// their system parameter. Its Settings are the parameters of a block of
// the simulate stage named after it (system = "kolmogorov" reads
// kolmogorov { ... }); Build makes the system from them.
type SystemKind struct {
	Name     string
	Doc      string
	Settings []stage.ParamSpec
	Build    func(settings *stage.Params) (System, error)
}

// A System is what the stages need of a dynamical system.
type System interface {
	// StateShape returns the shape of one state: [3] for Lorenz 63,
	// [2, 64, 64] for a velocity field.
	StateShape() []int
	// Simulate returns n independent trajectories of length states, each
	// recorded after burnIn transitions from an initial draw, standardised,
	// as float32 (n, length, state...). Trajectory i draws from streams of
	// (seed, i) only, so the result is the same at any GOMAXPROCS.
	Simulate(ctx context.Context, n, burnIn, length int, seed uint64) ([]float32, error)
	// Standardization returns the map from physical to standardised units.
	Standardization() dynamics.Standardization
	// Chain returns the stochastic chain behind the data, which the
	// particle filter and the log-prior metric need, or nil when the
	// system has none.
	Chain() dynamics.System
}

// Lorenz63 is the noisy Lorenz 1963 chain of docs/method.md §1.1.
var Lorenz63 = &SystemKind{
	Name: "lorenz63",
	Doc:  "the noisy Lorenz 1963 chain (RK4 steps of 0.025, transition noise variance 0.025)",
	Build: func(*stage.Params) (System, error) {
		return chainSystem{dynamics.NewLorenz63()}, nil
	},
}

// chainSystem adapts a stochastic chain whose standardisation is its own.
type chainSystem struct {
	sys interface {
		dynamics.System
		Standardization() dynamics.Standardization
	}
}

func (c chainSystem) StateShape() []int                         { return c.sys.StateShape() }
func (c chainSystem) Standardization() dynamics.Standardization { return c.sys.Standardization() }
func (c chainSystem) Chain() dynamics.System                    { return c.sys }

func (c chainSystem) Simulate(ctx context.Context, n, burnIn, length int, seed uint64) ([]float32, error) {
	x, err := dynamics.Generate(c.sys, n, burnIn, length, seed)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.sys.Standardize(x, x)
	return floats.To32(x), nil
}

// SystemInfo is a simulate stage's system output: the system's name and
// settings, by which later stages rebuild it, and the facts a notebook
// needs. StateShape is left out when the state is a vector of Dim values.
type SystemInfo struct {
	Name       string         `json:"name"`
	Dim        int            `json:"dim"` // values per state
	StateShape []int          `json:"state_shape,omitempty"`
	NoiseVar   float64        `json:"noise_var,omitempty"` // transition noise variance, when the system is a chain
	Mean       []float64      `json:"mean"`
	Scale      []float64      `json:"scale"`
	Settings   map[string]any `json:"settings,omitempty"`
}

// Shape returns the state shape.
func (s SystemInfo) Shape() []int {
	if s.StateShape == nil {
		return []int{s.Dim}
	}
	return s.StateShape
}

func systemInfo(name string, sys System, settings *stage.Params) SystemInfo {
	shape := sys.StateShape()
	st := sys.Standardization()
	info := SystemInfo{Name: name, Dim: dynamics.ShapeSize(shape), Mean: st.Mean, Scale: st.Scale}
	if len(shape) > 1 {
		info.StateShape = shape
	}
	if ch := sys.Chain(); ch != nil {
		info.NoiseVar = ch.NoiseVar()
	}
	if settings != nil && len(settings.Values) > 0 {
		info.Settings = settings.Settings()
	}
	return info
}

// buildSystem makes the system a simulate stage's parameters select.
func (c *Catalog) buildSystem(p *stage.Params) (System, *SystemKind, error) {
	name := p.String("system")
	kind, ok := c.System(name)
	if !ok {
		return nil, nil, fmt.Errorf("unknown system %q", name)
	}
	settings := p.Block(name)
	if settings == nil {
		settings = stage.NewParams()
	}
	sys, err := kind.Build(settings)
	return sys, kind, err
}

// systemOf rebuilds the dynamical system that made an upstream stage's
// data from its system output.
func (c *Catalog) systemOf(env *stage.Env, param string) (System, SystemInfo, error) {
	var info SystemInfo
	if err := env.ReadJSON(param, "system", &info); err != nil {
		return nil, info, err
	}
	kind, ok := c.System(info.Name)
	if !ok {
		return nil, info, fmt.Errorf("unknown system %q in %s", info.Name, env.Inputs[param].Addr)
	}
	settings, err := stage.ParamsFromSettings(kind.Settings, info.Settings)
	if err != nil {
		return nil, info, fmt.Errorf("system of %s: %w", env.Inputs[param].Addr, err)
	}
	sys, err := kind.Build(settings)
	if err != nil {
		return nil, info, fmt.Errorf("system of %s: %w", env.Inputs[param].Addr, err)
	}
	if !slices.Equal(sys.StateShape(), info.Shape()) {
		return nil, info, fmt.Errorf("system %s has states of shape %v, the data of %s say %v",
			info.Name, sys.StateShape(), env.Inputs[param].Addr, info.Shape())
	}
	return sys, info, nil
}
