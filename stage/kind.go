package stage

import (
	"context"
	"fmt"
	"strings"
)

// A Kind is a stage kind such as simulate or train: the parameters a block
// of that kind takes, the outputs it writes, and the code that runs it.
type Kind struct {
	Name string
	// Version is the kind's code version. It enters every cache key of the
	// kind; bump it whenever the kind's outputs would change for the same
	// parameters and inputs, so a cache never serves stale results.
	Version int
	Doc     string
	Params  []ParamSpec
	Blocks  []BlockSpec
	Lists   []ListSpec
	Outputs []OutputSpec
	// Check validates parameters against each other after each one passed
	// its own checks; each problem names the parameter it is about.
	Check func(p *Params) []ParamError
	// CheckGraph validates parameters against the stages they refer to,
	// before anything runs (e.g. an observed variable against the state
	// dimension of the simulated system). refs resolves a RefParam's name
	// to the referenced stage's kind and parameters.
	CheckGraph func(p *Params, refs Resolver) []ParamError
	// Run reads the inputs, calls the science code and writes every
	// non-optional output through env. It must return promptly, with
	// ctx.Err(), when ctx is cancelled.
	Run func(ctx context.Context, env *Env) error
	// Split, if set, says how the kind's work divides into independent
	// units, so that an executor can compute them in separate processes
	// (the tasks of a Slurm job array) and assemble the outputs in a
	// gather step. Run must then give the same bytes as RunSplit.
	Split *Split
}

// A Split divides a stage's work into units (a sampler's chunks, each
// drawing from its own random stream) that can be computed apart, in
// consecutive ranges called parts, and gathered into the outputs. The
// outputs must not depend on how the units are grouped into parts: any
// grouping gives the bytes that Run gives.
type Split struct {
	// Units returns how many units the stage's work has, at least 1. It
	// may read the stage's inputs.
	Units func(env *Env) (int, error)
	// Part computes units [lo, hi) and returns their result, encoded as
	// the kind likes; it writes no outputs.
	Part func(ctx context.Context, env *Env, lo, hi int) ([]byte, error)
	// Gather writes every output from the results of consecutive parts
	// that together cover units [0, Units), given in order.
	Gather func(ctx context.Context, env *Env, parts [][]byte) error
}

// RunSplit runs a split stage in one process: all its units as one part,
// then the gather step. A kind with a Split uses it as its Run, which
// makes running in parts and running whole agree by construction.
func RunSplit(ctx context.Context, env *Env, s *Split) error {
	n, err := s.Units(env)
	if err != nil {
		return err
	}
	part, err := s.Part(ctx, env, 0, n)
	if err != nil {
		return err
	}
	return s.Gather(ctx, env, [][]byte{part})
}

// A Resolver returns the kind and parameters of the stage a RefParam of
// the stage being checked refers to; ok is false if it refers to none.
type Resolver func(param string) (kind *Kind, params *Params, ok bool)

// An OutputSpec declares one output of a stage kind and its schema.
type OutputSpec struct {
	Name     string
	Schema   string // an artifact kind registered in package schemas
	Optional bool
	Doc      string
}

// A ParamError is a problem with one parameter found by Kind.Check.
// Param is a dotted name such as "observe.every".
type ParamError struct {
	Param  string
	Detail string
}

// Param returns the spec of a parameter or nested block parameter
// ("observe.every"), or false if the kind has none of that name.
func (k *Kind) Param(dotted string) (ParamSpec, bool) {
	for _, p := range k.Params {
		if p.Name == dotted {
			return p, true
		}
	}
	for _, b := range k.Blocks {
		for _, p := range b.Params {
			if b.Name+"."+p.Name == dotted {
				return p, true
			}
		}
	}
	return ParamSpec{}, false
}

// List returns the spec of a list block by name.
func (k *Kind) List(name string) (ListSpec, bool) {
	for _, l := range k.Lists {
		if l.Name == name {
			return l, true
		}
	}
	return ListSpec{}, false
}

// Output returns the spec of an output by name.
func (k *Kind) Output(name string) (OutputSpec, bool) {
	for _, o := range k.Outputs {
		if o.Name == name {
			return o, true
		}
	}
	return OutputSpec{}, false
}

// A Registry holds the stage kinds a pipeline file may use, in the order
// they were registered (the order of the README's reference).
type Registry struct {
	kinds map[string]*Kind
	order []*Kind
}

// NewRegistry returns a registry of kinds; it panics on a duplicate name,
// a programming error.
func NewRegistry(kinds ...*Kind) *Registry {
	r := &Registry{kinds: map[string]*Kind{}}
	for _, k := range kinds {
		r.Register(k)
	}
	return r
}

// Register adds a stage kind; it panics on a duplicate name.
func (r *Registry) Register(k *Kind) {
	if _, dup := r.kinds[k.Name]; dup {
		panic(fmt.Sprintf("stage: kind %q registered twice", k.Name))
	}
	r.kinds[k.Name] = k
	r.order = append(r.order, k)
}

// Lookup returns the stage kind of that name.
func (r *Registry) Lookup(name string) (*Kind, bool) {
	k, ok := r.kinds[name]
	return k, ok
}

// Kinds returns every kind in registration order. The slice is shared.
func (r *Registry) Kinds() []*Kind { return r.order }

// Markdown documents every kind's parameters and outputs, for the README.
func (r *Registry) Markdown() string {
	var b strings.Builder
	for _, k := range r.order {
		fmt.Fprintf(&b, "#### `%s` — %s\n\n| parameter | type | default | meaning |\n|---|---|---|---|\n", k.Name, k.Doc)
		rows := func(prefix string, ps []ParamSpec) {
			for _, p := range ps {
				def := "required"
				if v, ok := p.DefaultValue(); ok {
					def = "`" + v.Text() + "`"
				} else if p.Optional {
					def = "optional"
				}
				typ := p.Type.String()
				if len(p.RefKinds) > 0 {
					typ = strings.Join(p.RefKinds, "/") + " " + typ
				}
				fmt.Fprintf(&b, "| `%s%s` | %s | %s | %s |\n", prefix, p.Name, typ, def, p.Doc)
			}
		}
		rows("", k.Params)
		for _, bl := range k.Blocks {
			rows(bl.Name+".", bl.Params)
		}
		for _, l := range k.Lists {
			for _, it := range l.Items {
				fmt.Fprintf(&b, "| `%s \"%s\" { }` | block, repeatable | | %s |\n", l.Name, it.Name, it.Doc)
				rows(fmt.Sprintf("%s \"%s\" ", l.Name, it.Name), it.Params)
			}
		}
		b.WriteString("\nOutputs: ")
		for i, o := range k.Outputs {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "`%s` (%s)", o.Name, o.Schema)
		}
		b.WriteString(".\n\n")
	}
	return b.String()
}
