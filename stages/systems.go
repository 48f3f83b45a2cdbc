package stages

import (
	"context"
	"fmt"
	"math"
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

// A DataSystem is what the stages downstream of a dataset need of the
// system behind it, simulated or not.
type DataSystem interface {
	// StateShape returns the shape of one state: [3] for Lorenz 63,
	// [2, 64, 64] for a velocity field.
	StateShape() []int
	// Standardization returns the map from physical to standardised units.
	Standardization() dynamics.Standardization
	// Chain returns the stochastic chain behind the data, which the
	// particle filter and the log-prior metric need, or nil when the
	// system has none (as for trajectories read from a file).
	Chain() dynamics.System
}

// A System is a dynamical system that simulate stages can run.
type System interface {
	DataSystem
	// Simulate returns n independent trajectories of length states, each
	// recorded after burnIn transitions from an initial draw, standardised,
	// as float32 (n, length, state...). Trajectory i draws from streams of
	// (seed, i) only, so the result is the same at any GOMAXPROCS.
	// done, if not nil, is called after each trajectory, from any goroutine.
	Simulate(ctx context.Context, n, burnIn, length int, seed uint64, done func()) ([]float32, error)
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

func (c chainSystem) Simulate(ctx context.Context, n, burnIn, length int, seed uint64, done func()) ([]float32, error) {
	// A chain's trajectories take microseconds each: no progress to show.
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

// SystemInfo is the system output of a simulate or dataset stage: the
// system's name and settings, by which later stages rebuild it, and the
// facts a notebook needs. StateShape is left out when the state is a
// vector of Dim values. A dataset stage's record is named RecordedSystem
// and describes itself: state shape and standardisation are all there is.
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
// data from its system output: a catalog system from its name and
// settings, or recorded trajectories from their record alone.
func (c *Catalog) systemOf(env *stage.Env, param string) (DataSystem, SystemInfo, error) {
	var info SystemInfo
	if err := env.ReadJSON(param, "system", &info); err != nil {
		return nil, info, err
	}
	if info.Name == RecordedSystem {
		sys, err := recordedFrom(info)
		if err != nil {
			return nil, info, fmt.Errorf("system of %s: %w", env.Inputs[param].Addr, err)
		}
		return sys, info, nil
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

// RecordedSystem names the system of trajectories that a dataset stage read
// from a file. It is no catalog entry: it cannot be simulated, has no
// transition density, and is rebuilt from its SystemInfo alone.
const RecordedSystem = "file"

// recordedSystem is the system behind trajectories read from a file: a
// state shape and a standardisation, no chain.
type recordedSystem struct {
	shape []int
	st    dynamics.Standardization
}

func (r recordedSystem) StateShape() []int                         { return r.shape }
func (r recordedSystem) Standardization() dynamics.Standardization { return r.st }
func (r recordedSystem) Chain() dynamics.System                    { return nil }

// recordedInfo describes trajectories of states of that shape standardised
// by st.
func recordedInfo(shape []int, st dynamics.Standardization) SystemInfo {
	info := SystemInfo{Name: RecordedSystem, Dim: dynamics.ShapeSize(shape), Mean: st.Mean, Scale: st.Scale}
	if len(shape) > 1 {
		info.StateShape = shape
	}
	return info
}

// recordedFrom rebuilds recorded trajectories' system from their record,
// checking that it is whole: one finite mean and positive scale per entry
// of the state's first axis.
func recordedFrom(info SystemInfo) (DataSystem, error) {
	shape := info.Shape()
	if len(shape) == 0 || dynamics.ShapeSize(shape) != info.Dim || info.Dim < 1 {
		return nil, fmt.Errorf("recorded system of %d values has state shape %v", info.Dim, shape)
	}
	if len(info.Mean) != shape[0] || len(info.Scale) != shape[0] {
		return nil, fmt.Errorf("recorded system of states %v has %d means and %d scales, want %d", shape, len(info.Mean), len(info.Scale), shape[0])
	}
	for i, sc := range info.Scale {
		m := info.Mean[i]
		if !(sc > 0) || math.IsInf(sc, 0) || math.IsNaN(m) || math.IsInf(m, 0) {
			return nil, fmt.Errorf("recorded system: entry %d has mean %v and scale %v", i, m, sc)
		}
	}
	st := dynamics.Standardization{Mean: info.Mean, Scale: info.Scale, Inner: info.Dim / shape[0]}
	return recordedSystem{shape: slices.Clone(shape), st: st}, nil
}
