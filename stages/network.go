package stages

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"sdapipe/dynamics"
	"sdapipe/nets"
	"sdapipe/settings"
	"sdapipe/stage"
)

// NetworkFile is a train stage's network output: what a sample stage (or
// a notebook) needs to rebuild the network before loading its weights.
// The architecture's own configuration (Config, e.g. resmlp's features,
// width, depth, …) is written as fields of the same JSON object, between
// the window's description and the schedule, so a notebook reads one flat
// document. StateShape is left out when the state is a vector of
// StateDim values.
type NetworkFile struct {
	Architecture string
	Window       int   // 2k+1 states per local window
	StateDim     int   // values per state
	StateShape   []int // shape of a state, when it is not a vector
	Config       json.RawMessage
	Schedule     string // "vp-cosine"
	Eta          float64
	Parameters   int
}

type networkHead struct {
	Architecture string `json:"architecture"`
	Window       int    `json:"window"`
	StateDim     int    `json:"state_dim"`
	StateShape   []int  `json:"state_shape,omitempty"`
}

type networkTail struct {
	Schedule   string  `json:"schedule"`
	Eta        float64 `json:"eta"`
	Parameters int     `json:"parameters"`
}

// MarshalJSON writes one object: the head fields, the architecture's
// configuration fields, then the schedule and the parameter count.
func (f NetworkFile) MarshalJSON() ([]byte, error) {
	head, err := json.Marshal(networkHead{f.Architecture, f.Window, f.StateDim, f.StateShape})
	if err != nil {
		return nil, err
	}
	tail, err := json.Marshal(networkTail{f.Schedule, f.Eta, f.Parameters})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(head[:len(head)-1])
	if cfg := bytes.TrimSpace(f.Config); len(cfg) > 2 {
		if cfg[0] != '{' || cfg[len(cfg)-1] != '}' {
			return nil, fmt.Errorf("network configuration of %s is not a JSON object", f.Architecture)
		}
		b.WriteByte(',')
		b.Write(cfg[1 : len(cfg)-1])
	}
	b.WriteByte(',')
	b.Write(tail[1:])
	return b.Bytes(), nil
}

// UnmarshalJSON reads the head and tail fields and keeps the whole object
// as Config, from which the architecture takes its own fields.
func (f *NetworkFile) UnmarshalJSON(b []byte) error {
	var h networkHead
	var t networkTail
	if err := json.Unmarshal(b, &h); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	*f = NetworkFile{Architecture: h.Architecture, Window: h.Window, StateDim: h.StateDim, StateShape: h.StateShape,
		Config: append(json.RawMessage(nil), b...), Schedule: t.Schedule, Eta: t.Eta, Parameters: t.Parameters}
	return nil
}

// State returns the shape of one state.
func (f NetworkFile) State() []int {
	if f.StateShape == nil {
		return []int{f.StateDim}
	}
	return f.StateShape
}

// window returns the window description the architecture was built for.
func (f NetworkFile) window() nets.Window { return nets.Window{States: f.Window, State: f.State()} }

// newNetworkFile describes model m of architecture arch, built for window w
// with configuration cfg.
func newNetworkFile(arch string, w nets.Window, cfg any, m nets.Model, eta float64) (NetworkFile, error) {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return NetworkFile{}, err
	}
	f := NetworkFile{Architecture: arch, Window: w.States, StateDim: dynamics.ShapeSize(w.State), Config: raw,
		Schedule: "vp-cosine", Eta: eta, Parameters: nets.NumParams(m)}
	if len(w.State) > 1 {
		f.StateShape = w.State
	}
	return f, nil
}

// loadModel rebuilds a trained network from a train stage's outputs.
func (c *Catalog) loadModel(env *stage.Env, param string) (nets.Model, NetworkFile, error) {
	var f NetworkFile
	if err := env.ReadJSON(param, "network", &f); err != nil {
		return nil, f, err
	}
	from := env.Inputs[param].Addr
	arch, ok := c.Archs.Lookup(f.Architecture)
	if !ok {
		return nil, f, fmt.Errorf("network of %s: unknown architecture %q (this sdapipe has %v)", from, f.Architecture, c.Archs.Names())
	}
	m, err := arch.Load(f.window(), f.Config)
	if err != nil {
		return nil, f, fmt.Errorf("network of %s: %w", from, err)
	}
	members, err := env.ReadNPZ(param, "weights")
	if err != nil {
		return nil, f, err
	}
	byName := map[string][]float32{}
	var names []string
	for _, mb := range members {
		w, err := mb.Array.Float32()
		if err != nil {
			return nil, f, fmt.Errorf("weights of %s: %s: %w", from, mb.Name, err)
		}
		byName[mb.Name] = w
		names = append(names, mb.Name)
	}
	err = nets.SetParams(m, names, func(name string) ([]float32, bool) { w, ok := byName[name]; return w, ok })
	if err != nil {
		return nil, f, fmt.Errorf("weights of %s: %w", from, err)
	}
	return m, f, nil
}

// newModel builds an untrained model of the architecture a train stage's
// parameters select, for window w.
func (c *Catalog) newModel(p *stage.Params, w nets.Window, rng *rand.Rand) (nets.Model, any, string, error) {
	name := p.String("network")
	arch, ok := c.Archs.Lookup(name)
	if !ok {
		return nil, nil, name, fmt.Errorf("unknown network %q", name)
	}
	values := settings.Values{}
	if b := p.Block(name); b != nil {
		for k, v := range b.Settings() {
			values[k] = v
		}
	}
	m, cfg, err := arch.New(w, values, rng)
	return m, cfg, name, err
}

// archBlocks declares one train block per architecture, holding its
// settings, selected by the network parameter.
func archBlocks(r *nets.Registry) []stage.BlockSpec {
	var blocks []stage.BlockSpec
	for _, a := range r.All() {
		blocks = append(blocks, stage.BlockSpec{Name: a.Name, Variant: "network", Doc: "settings of the " + a.Doc,
			Params: stage.FromSettings(a.Settings)})
	}
	return blocks
}
