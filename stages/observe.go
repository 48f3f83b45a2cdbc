package stages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"

	"sdapipe/artifacts"
	"sdapipe/dynamics"
	"sdapipe/internal/floats"
	"sdapipe/observe"
	"sdapipe/stage"
)

// newObserve returns the observe kind, which makes the observations that sample stages condition on and
// evaluate stages score against: an operator applied to test trajectories
// plus seeded noise (docs/method.md §4.3), or observations a notebook supplies. It
// is a stage of its own so that posteriors sampled with different settings
// (C, k, γ) condition on identical observations, and the particle filter
// runs once per observation set.
func newObserve(c *Catalog) *stage.Kind {
	return &stage.Kind{
		Name:    "observe",
		Version: 1,
		Doc:     "observe test trajectories through an operator with noise, or load observations from a file",
		Params: []stage.ParamSpec{
			{Name: "data", Type: stage.RefParam, RefKinds: []string{"simulate", "dataset"}, Uses: []string{"test", "system"},
				Doc: "the simulate or dataset stage whose test trajectories are observed"},
			{Name: "length", Type: stage.Int, Default: int64(65), Min: stage.Bound(2), Max: stage.Bound(1 << 16), Doc: "states L per trajectory"},
			{Name: "first", Type: stage.Int, Default: int64(0), Min: stage.Bound(0), Doc: "first test trajectory observed"},
			{Name: "count", Type: stage.Int, Default: int64(4), Min: stage.Bound(1), Max: stage.Bound(1 << 16),
				Doc: "test trajectories observed, one observation set each"},
			{Name: "observations", Type: stage.FileParam, Optional: true,
				Doc: `an NPY of observations (observation, value) in standardised units, e.g. file("obs.npy"); replaces first and count`},
			{Name: "operator", Type: stage.String, Default: "select", Choices: []string{"select", "saturate", "norm"},
				Doc: "select: y = x[t, v]; saturate: y = w/(1+|w|) of those; norm: y = |x[t]|"},
			{Name: "variables", Type: stage.IntList, Default: []int64{0}, Min: stage.Bound(0), Doc: "observed state variables (not for norm)"},
			{Name: "start", Type: stage.Int, Default: int64(0), Min: stage.Bound(0), Doc: "first observed state"},
			{Name: "every", Type: stage.Int, Default: int64(1), Min: stage.Bound(1), Doc: "observe every n-th state from start"},
			{Name: "times", Type: stage.IntList, Default: []int64{}, Min: stage.Bound(0), Doc: "observed states as a list; replaces start and every"},
			{Name: "noise", Type: stage.Float, Default: 0.05, Min: stage.Bound(0), Max: stage.Bound(100), Doc: "observation noise σ_y, standardised units"},
		},
		Lists: []stage.ListSpec{opList()},
		Outputs: []stage.OutputSpec{
			{Name: "observations", Schema: "observations", Doc: "the observations y"},
			{Name: "operator", Schema: "operator", Doc: "the observation operator and noise"},
			{Name: "truth", Schema: "truth", Optional: true, Doc: "the observed test trajectories (absent for file observations)"},
			{Name: "system", Schema: "system", Doc: "the dynamical system, passed on from the data stage"},
		},
		Check:      checkOps,
		CheckGraph: func(p *stage.Params, refs stage.Resolver) []stage.ParamError { return checkObserve(c, p, refs) },
		Run:        func(ctx context.Context, env *stage.Env) error { return runObserve(ctx, env, c) },
	}
}

// OperatorInfo is the observe stage's operator output.
type OperatorInfo struct {
	Operator observe.Description `json:"operator"`
	Text     string              `json:"text"`
	Noise    float64             `json:"noise"`
	Source   string              `json:"source"` // "test trajectories i..j of stage" or the file's path
	First    int                 `json:"first"`  // first test trajectory, when made from them
	// State is the shape of a state, whose Operator.Dim values the operator
	// indexes in row-major order; left out for vector states.
	State []int `json:"state,omitempty"`
}

// StateShape returns the shape of a state.
func (o OperatorInfo) StateShape() []int {
	if o.State == nil {
		return []int{o.Operator.Dim}
	}
	return o.State
}

// observeTimes returns the observed time indices.
func observeTimes(p *stage.Params, length int) ([]int, error) {
	if ts := p.Ints("times"); len(ts) > 0 {
		return ts, nil
	}
	return observe.Every(p.Int("start"), p.Int("every"), length)
}

// opList declares the observation steps a stage composes in the order
// written, op "NAME" { ... }, one item kind per step of package observe.
func opList() stage.ListSpec {
	l := stage.ListSpec{Name: "op",
		Doc: "observation steps, applied in the order written; with them the operator is their composition"}
	for _, k := range observe.Steps {
		l.Items = append(l.Items, stage.BlockSpec{Name: k.Name, Doc: k.Doc, Params: stage.FromSettings(k.Settings)})
	}
	return l
}

// selectParams are the parameters of the select, saturate and norm
// operators, which op blocks replace.
var selectParams = []string{"operator", "variables", "start", "every", "times"}

// checkOps rejects operator settings beside op blocks.
func checkOps(p *stage.Params) []stage.ParamError {
	if len(p.List("op")) == 0 {
		return nil
	}
	var errs []stage.ParamError
	for _, name := range selectParams {
		if p.Explicit[name] {
			errs = append(errs, stage.ParamError{Param: name, Detail: fmt.Sprintf(
				"%s belongs to the select, saturate and norm operators; with op blocks the steps define the observation, so remove %s or the op blocks.", name, name)})
		}
	}
	return errs
}

// opChain composes the op blocks into an operator for events (length,
// state...).
func opChain(p *stage.Params, length int, state []int) (*observe.Chain, error) {
	var steps []observe.StepDesc
	for _, it := range p.List("op") {
		steps = append(steps, observe.StepDesc{Op: it.Label, Settings: it.Params.Settings()})
	}
	return observe.NewChain(length, state, steps)
}

// buildOperator makes the observation operator for events (length,
// state...): the composition of the op blocks when there are any, else
// the select, saturate or norm operator on the D values of each state.
func buildOperator(p *stage.Params, length int, state []int) (observe.Operator, error) {
	if len(p.List("op")) > 0 {
		return opChain(p, length, state)
	}
	dim := dynamics.ShapeSize(state)
	times, err := observeTimes(p, length)
	if err != nil {
		return nil, err
	}
	switch p.String("operator") {
	case "norm":
		return observe.NewNorm(length, dim, times)
	case "saturate":
		sel, err := observe.NewSelect(length, dim, p.Ints("variables"), times)
		if err != nil {
			return nil, err
		}
		return observe.NewSaturate(sel), nil
	}
	return observe.NewSelect(length, dim, p.Ints("variables"), times)
}

// checkObserve validates an observe stage against its data before anything
// runs: variables and times against the state, the test set against first
// and count, and an observations file against the operator.
func checkObserve(c *Catalog, p *stage.Params, refs stage.Resolver) []stage.ParamError {
	kind, sp, ok := refs("data")
	if !ok {
		return nil
	}
	facts, ok := c.factsOf(kind, sp)
	if !ok {
		return nil // the data stage reports it
	}
	length := p.Int("length")
	state := facts.state
	dim := dynamics.ShapeSize(state)
	op, err := buildOperator(p, length, state)
	if err != nil {
		var se *observe.StepError
		if errors.As(err, &se) {
			field := fmt.Sprintf("op[%d]", se.Index)
			if se.Setting != "" {
				field += "." + se.Setting
			}
			return []stage.ParamError{{Param: field, Detail: fmt.Sprintf("%v (trajectories of %d states of shape %v).", err, length, state)}}
		}
		field := "variables"
		var ie *observe.IndexError
		if errors.As(err, &ie) && ie.What == "time" {
			field = "start"
			if len(p.Ints("times")) > 0 {
				field = "times"
			}
		}
		return []stage.ParamError{{Param: field, Detail: fmt.Sprintf("%v (trajectories of %d states of %d variables).", err, length, dim)}}
	}
	if f, ok := p.File("observations"); ok {
		if msg := checkObservationFile(f, op); msg != "" {
			return []stage.ParamError{{Param: "observations", Detail: msg}}
		}
		return nil
	}
	var errs []stage.ParamError
	if l := facts.length; length > l {
		errs = append(errs, stage.ParamError{Param: "length", Detail: fmt.Sprintf(
			"length %d is longer than the test trajectories of %s (%d states in %s).", length, p.Ref("data"), l, facts.what)})
	}
	if first, count := p.Int("first"), p.Int("count"); first+count > facts.nTest {
		errs = append(errs, stage.ParamError{Param: "count", Detail: fmt.Sprintf(
			"first %d + count %d exceeds the %d test trajectories of %s.", first, count, facts.nTest, p.Ref("data"))})
	}
	return errs
}

// checkObservationFile reads a notebook's observations and says what is
// wrong with them, or "".
func checkObservationFile(f stage.File, op observe.Operator) string {
	b, err := f.Read()
	if err != nil {
		return err.Error()
	}
	a, err := artifacts.ReadNPYNamed(bytes.NewReader(b), f.Path)
	if err != nil {
		return err.Error()
	}
	m := op.Outputs()
	want := fmt.Sprintf("expected float32 or float64 (observation, value) with value = %d for %s", m, op.Describe())
	if a.DType != artifacts.Float32 && a.DType != artifacts.Float64 {
		return fmt.Sprintf("%s: %s; got dtype %s.", f.Path, want, a.DType)
	}
	if len(a.Shape) == 1 {
		a.Shape = []int{1, a.Shape[0]}
	}
	if len(a.Shape) != 2 || a.Shape[1] != m || a.Shape[0] < 1 {
		return fmt.Sprintf("%s: %s; got shape %v.", f.Path, want, a.Shape)
	}
	if msg := checkObservationValues(toFloat64(a), m); msg != "" {
		return f.Path + ": " + msg
	}
	return ""
}

// checkObservationValues says which of the observations y (rows of m
// values) is not a finite float32, or "". The check is made after the
// conversion to float32, in which the observations are stored: a float64
// such as 1e300 is finite but overflows to +Inf.
func checkObservationValues(y []float64, m int) string {
	for i, v := range y {
		switch f := float64(float32(v)); {
		case math.IsNaN(v) || math.IsInf(v, 0):
			return fmt.Sprintf("observation %d, value %d is %v; all values must be finite.", i/m, i%m, v)
		case math.IsInf(f, 0):
			return fmt.Sprintf("observation %d, value %d is %v, beyond float32's range (±%.8g) in which observations are stored; all values must be finite in float32.",
				i/m, i%m, v, math.MaxFloat32)
		}
	}
	return ""
}

func toFloat64(a artifacts.Array) []float64 {
	switch d := a.Data.(type) {
	case []float64:
		return d
	case []float32:
		return floats.To64(d)
	}
	return nil
}

func runObserve(ctx context.Context, env *stage.Env, c *Catalog) error {
	p := env.Params
	sys, _, err := c.systemOf(env, "data")
	if err != nil {
		return err
	}
	state := sys.StateShape()
	length := p.Int("length")
	op, err := buildOperator(p, length, state)
	if err != nil {
		return err
	}
	y, truth, info, err := makeObservations(env, op, length, state)
	if err != nil {
		return err
	}
	if len(state) > 1 {
		info.State = state
	}
	m, nObs := op.Outputs(), len(y)/op.Outputs()
	sizes := map[string]int{"value": m, "time": length}
	if err := env.WriteArray("observations", artifacts.NewFloat32([]int{nObs, m}, y), sizes); err != nil {
		return err
	}
	if truth != nil {
		sys.Standardization().Invert32(truth, truth)
		shape := append([]int{nObs, length}, state...)
		if err := env.WriteArray("truth", artifacts.NewFloat32(shape, truth), sizes, state...); err != nil {
			return err
		}
	}
	if err := env.WriteJSON("operator", info); err != nil {
		return err
	}
	b, err := env.ReadBytes("data", "system")
	if err != nil {
		return err
	}
	return env.WriteBytes("system", b)
}

// makeObservations returns the observations (nObs, M) in standardised
// units and, when made from test trajectories, the truth (nObs, L,
// state...), also standardised.
func makeObservations(env *stage.Env, op observe.Operator, length int, state []int) (y, truth []float32, info OperatorInfo, err error) {
	dim := dynamics.ShapeSize(state)
	p := env.Params
	m := op.Outputs()
	info = OperatorInfo{Operator: op.Describe(), Text: op.Describe().String(), Noise: p.Float("noise")}
	if f, ok := p.File("observations"); ok {
		a, err := env.ReadFileArray("observations")
		if err != nil {
			return nil, nil, info, err
		}
		y64 := toFloat64(a)
		if len(y64)%m != 0 || len(y64) == 0 {
			return nil, nil, info, fmt.Errorf("%s holds %d values, not rows of %d", f.Path, len(y64), m)
		}
		if msg := checkObservationValues(y64, m); msg != "" {
			return nil, nil, info, fmt.Errorf("%s: %s", f.Path, msg)
		}
		y = floats.To32(y64)
		info.Source = f.Path
		return y, nil, info, nil
	}
	test, err := env.ReadArray("data", "test", nil, state...)
	if err != nil {
		return nil, nil, info, err
	}
	x, _ := test.Float32()
	first, count, tl := p.Int("first"), p.Int("count"), test.Shape[1]
	if first+count > test.Shape[0] || length > tl {
		return nil, nil, info, fmt.Errorf("the test set %v has no trajectories %d..%d of %d states",
			test.Shape, first, first+count-1, length)
	}
	info.Source = fmt.Sprintf("test trajectories %d..%d of %s", first, first+count-1, env.Inputs["data"].Addr)
	info.First = first
	y, truth = make([]float32, count*m), make([]float32, count*length*dim)
	rng := env.RNG("noise")
	noise := p.Float("noise")
	truth64, y64 := make([]float64, length*dim), make([]float64, m)
	for o := range count {
		src := x[(first+o)*tl*dim : ((first+o)*tl+length)*dim]
		copy(truth[o*length*dim:], src)
		floats.Copy64(truth64, src)
		op.Apply64(y64, truth64)
		for j, v := range y64 {
			y[o*m+j] = float32(v + noise*rng.NormFloat64())
		}
	}
	return y, truth, info, nil
}

// operatorOf rebuilds the observation operator of an upstream observe stage.
func operatorOf(env *stage.Env, param string) (observe.Operator, OperatorInfo, error) {
	var info OperatorInfo
	if err := env.ReadJSON(param, "operator", &info); err != nil {
		return nil, info, err
	}
	op, err := observe.Build(info.Operator)
	if err != nil {
		return nil, info, fmt.Errorf("operator of %s: %w", env.Inputs[param].Addr, err)
	}
	return op, info, nil
}
