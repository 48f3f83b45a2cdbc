package nets

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"

	"sdapipe/settings"
)

// A Window describes the events a local score network is built for:
// States consecutive states of shape State (docs/method.md §2.8–2.9).
type Window struct {
	States int   // 2k+1
	State  []int // shape of one state, e.g. [3] or [2, 64, 64]
}

// Size returns the number of values of one window.
func (w Window) Size() int {
	n := w.States
	for _, d := range w.State {
		n *= d
	}
	return n
}

// An Arch is an architecture that train stages choose by name. New builds
// an untrained model and returns, beside it, the configuration that Load
// turns back into the same model (the train stage stores it in
// network.json, whose other fields the pipeline owns). Both initialise
// parameters as PyTorch does, New from rng; weights are then set by name
// with SetParams.
//
// Settings are the architecture's own settings, which a train stage
// exposes in a block named after the architecture (resmlp { width = 256 }).
type Arch struct {
	Name     string
	Doc      string
	Settings []settings.Spec
	New      func(w Window, v settings.Values, rng *rand.Rand) (Model, any, error)
	Load     func(w Window, config json.RawMessage) (Model, error)
}

// A Registry holds the architectures a pipeline can train, by name.
type Registry struct{ archs map[string]*Arch }

// NewRegistry returns a registry of archs; it panics on a duplicate name.
func NewRegistry(archs ...*Arch) *Registry {
	r := &Registry{archs: map[string]*Arch{}}
	for _, a := range archs {
		if _, dup := r.archs[a.Name]; dup {
			panic("nets: architecture registered twice: " + a.Name)
		}
		r.archs[a.Name] = a
	}
	return r
}

// Lookup returns the architecture of that name.
func (r *Registry) Lookup(name string) (*Arch, bool) {
	a, ok := r.archs[name]
	return a, ok
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.archs))
	for n := range r.archs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// All returns the architectures sorted by name.
func (r *Registry) All() []*Arch {
	out := make([]*Arch, 0, len(r.archs))
	for _, n := range r.Names() {
		out = append(out, r.archs[n])
	}
	return out
}

// NumParams returns the number of parameter values of m.
func NumParams(m Model) int {
	n := 0
	for _, p := range m.Params() {
		n += len(p.Data)
	}
	return n
}

// SetParams copies named arrays into m's parameters: get returns the data
// and shape stored under a name, or ok false. Every parameter must be
// found with its own number of values; names m does not have are an error
// too, so that weights of another architecture are never half-loaded.
func SetParams(m Model, names []string, get func(name string) (data []float32, ok bool)) error {
	have := map[string]bool{}
	for _, p := range m.Params() {
		have[p.Name] = true
		data, ok := get(p.Name)
		if !ok {
			return fmt.Errorf("nets: weights lack parameter %s", p.Name)
		}
		if len(data) != len(p.Data) {
			return fmt.Errorf("nets: parameter %s has shape %v (%d values); the weights hold %d", p.Name, p.Shape, len(p.Data), len(data))
		}
		copy(p.Data, data)
	}
	for _, n := range names {
		if !have[n] {
			return fmt.Errorf("nets: the weights hold %s, which the network does not have", n)
		}
	}
	return nil
}

// ParamNames returns m's parameter names in order.
func ParamNames(m Model) []string {
	var out []string
	for _, p := range m.Params() {
		out = append(out, p.Name)
	}
	return slices.Clip(out)
}
