package stages

import (
	"context"
	"fmt"
	"sort"
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

// Output returns the spec of an output by name.
func (k *Kind) Output(name string) (OutputSpec, bool) {
	for _, o := range k.Outputs {
		if o.Name == name {
			return o, true
		}
	}
	return OutputSpec{}, false
}

var registry = map[string]*Kind{}

// Register adds a stage kind; it panics on a duplicate name.
func Register(k *Kind) {
	if _, dup := registry[k.Name]; dup {
		panic(fmt.Sprintf("stages: kind %q registered twice", k.Name))
	}
	registry[k.Name] = k
}

// Lookup returns the stage kind of that name.
func Lookup(name string) (*Kind, bool) {
	k, ok := registry[name]
	return k, ok
}

// Kinds returns every registered kind in a fixed order: the pipeline order
// simulate, train, sample, evaluate first, then others by name.
func Kinds() []*Kind {
	order := map[string]int{"simulate": 0, "train": 1, "sample": 2, "evaluate": 3}
	ks := make([]*Kind, 0, len(registry))
	for _, k := range registry {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		oi, iok := order[ks[i].Name]
		oj, jok := order[ks[j].Name]
		switch {
		case iok && jok:
			return oi < oj
		case iok != jok:
			return iok
		}
		return ks[i].Name < ks[j].Name
	})
	return ks
}
