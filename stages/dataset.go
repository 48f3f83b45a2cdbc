package stages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"sdapipe/artifacts"
	"sdapipe/dynamics"
	"sdapipe/stage"
)

// newDataset returns the dataset kind: trajectories that a notebook or
// another program made, read from one NPY file (trajectory, time,
// state...), checked before anything runs, split into train, valid and
// test sets and standardised per state variable or channel. Its outputs
// are those of a simulate stage, so train, observe, sample and evaluate
// take either; its system is RecordedSystem, which has no transition
// density (no particle filter, no log-prior).
//
// One NPY rather than an NPZ or a file per split: it is the array a
// notebook already holds (np.save(path, x)), one file is one digest in the
// cache key, and index lists give any split of it. Splits of different
// trajectory lengths would need a file each; they are left for when
// someone needs them.
func newDataset() *stage.Kind {
	return &stage.Kind{
		Name:    "dataset",
		Version: 1,
		Doc:     "read trajectories from an NPY file, check them, split them into train, valid and test sets and standardise them",
		Params: []stage.ParamSpec{
			{Name: "trajectories", Type: stage.FileParam,
				Doc: `an NPY of float32 or float64 trajectories (trajectory, time, state...) in physical units, e.g. file("l96.npy")`},
			{Name: "split", Type: stage.String, Default: "fractions", Choices: []string{"fractions", "indices"},
				Doc: "fractions: the last trajectories are valid and test, in file order; indices: lists of trajectories"},
			{Name: "standardize", Type: stage.String, Default: "train", Choices: []string{"train", "none"},
				Doc: "train: (x − mean)/std per state variable or channel, fitted on the train split; none: the values as they are"},
		},
		Blocks: []stage.BlockSpec{
			{Name: "fractions", Variant: "split", Doc: "fractions of the trajectories, taken in file order: train first, then valid, then test", Params: []stage.ParamSpec{
				{Name: "valid", Type: stage.Float, Default: 0.1, Min: stage.Bound(0), Max: stage.Bound(1), Doc: "fraction of validation trajectories"},
				{Name: "test", Type: stage.Float, Default: 0.1, Min: stage.Bound(0), Max: stage.Bound(1), Doc: "fraction of test trajectories (the last ones)"},
			}},
			{Name: "indices", Variant: "split", Doc: "trajectories of each split by index, disjoint", Params: []stage.ParamSpec{
				{Name: "train", Type: stage.IntList, Min: stage.Bound(0), Doc: "indices of the training trajectories"},
				{Name: "valid", Type: stage.IntList, Min: stage.Bound(0), Doc: "indices of the validation trajectories"},
				{Name: "test", Type: stage.IntList, Min: stage.Bound(0), Doc: "indices of the test trajectories, in the order observe counts them"},
			}},
		},
		Outputs: []stage.OutputSpec{
			{Name: "train", Schema: "trajectories", Doc: "the training trajectories, standardised"},
			{Name: "valid", Schema: "trajectories", Doc: "the validation trajectories"},
			{Name: "test", Schema: "trajectories", Doc: "the test trajectories"},
			{Name: "standardization", Schema: "standardization", Doc: "mean and scale per state variable or channel (0 and 1 for none)"},
			{Name: "system", Schema: "system", Doc: `the recorded system: name "file", state shape and standardisation, no transition density`},
		},
		Check: checkDataset,
		Run:   runDataset,
	}
}

// A datasetPlan is what a dataset stage's parameters and file make: the
// trajectories of each split and the standardisation.
type datasetPlan struct {
	shape  []int    // (trajectory, time, state...)
	splits [3][]int // trajectory indices of train, valid and test
	st     dynamics.Standardization
}

var splitNames = [3]string{"train", "valid", "test"}

func (d datasetPlan) state() []int { return d.shape[2:] }

// checkDataset reads the file and checks everything the stage will do
// with it, so that a bad file is a configuration error (exit 2) and
// nothing is written.
func checkDataset(p *stage.Params) []stage.ParamError {
	f, ok := p.File("trajectories")
	if !ok {
		return nil
	}
	b, err := f.Read()
	if err != nil {
		return []stage.ParamError{{Param: "trajectories", Detail: err.Error() + "."}}
	}
	a, err := artifacts.ReadNPYNamed(bytes.NewReader(b), f.Path)
	if err != nil {
		return []stage.ParamError{{Param: "trajectories", Detail: err.Error() + "."}}
	}
	_, errs := planDataset(a, f.Path, p)
	return errs
}

// datasetShape checks an array's dtype and shape; it returns "" or what is
// wrong, as a sentence.
func datasetShape(dt artifacts.DType, shape []int, path string) string {
	want := "expected float32 or float64 trajectories (trajectory, time, state...)"
	if dt != artifacts.Float32 && dt != artifacts.Float64 {
		return fmt.Sprintf("%s: %s; got dtype %s.", path, want, dt)
	}
	if len(shape) < 3 {
		return fmt.Sprintf("%s: %s, at least 3 dimensions; got shape %v (one trajectory of a vector state is (1, time, variables)).", path, want, shape)
	}
	for i, n := range shape {
		if n < 1 {
			return fmt.Sprintf("%s: %s; got shape %v, with no %s.", path, want, shape, [3]string{"trajectories", "times", "state values"}[min(i, 2)])
		}
	}
	if shape[1] < 2 {
		return fmt.Sprintf("%s: trajectories of one state have no dynamics to learn; got shape %v.", path, shape)
	}
	if n := dynamics.ShapeSize(shape); n > maxValues {
		return fmt.Sprintf("%s: %d values are more than the 2^28 sdapipe holds in memory at once; use fewer or shorter trajectories.", path, n)
	}
	return ""
}

// planDataset checks array a, read from path, against the stage's
// parameters and returns the splits and the standardisation. Each problem
// names the parameter it is about.
func planDataset(a artifacts.Array, path string, p *stage.Params) (datasetPlan, []stage.ParamError) {
	bad := func(param, format string, args ...any) (datasetPlan, []stage.ParamError) {
		return datasetPlan{}, []stage.ParamError{{Param: param, Detail: fmt.Sprintf(format, args...)}}
	}
	if msg := datasetShape(a.DType, a.Shape, path); msg != "" {
		return bad("trajectories", "%s", msg)
	}
	plan := datasetPlan{shape: a.Shape}
	x := toFloat64(a)
	if msg := finite32(x, a.Shape, path, nil); msg != "" {
		return bad("trajectories", "%s", msg)
	}
	splits, errs := splitIndices(p, a.Shape[0], path)
	if len(errs) > 0 {
		return datasetPlan{}, errs
	}
	plan.splits = splits
	state := plan.state()
	entries, inner := state[0], dynamics.ShapeSize(state[1:])
	if p.String("standardize") == "none" {
		plan.st = dynamics.Identity(entries, inner)
		return plan, nil
	}
	st, err := dynamics.FitStandardization(gather(x, splits[0], a.Shape[1]*entries*inner), entries, inner)
	var ce *dynamics.ConstantError
	switch {
	case errors.As(err, &ce):
		return bad("standardize", `%s: %s %d is %v in every training trajectory, so it has no scale to standardise by; use standardize = "none" (and standardise it yourself) or leave it out of the file.`,
			path, entryName(state), ce.Entry, ce.Value)
	case err != nil:
		return bad("standardize", "%s: %v.", path, err)
	}
	plan.st = st
	if msg := finite32(x, a.Shape, path, &st); msg != "" {
		return bad("standardize", "%s", msg)
	}
	return plan, nil
}

// entryName says what the entries of a state's first axis are.
func entryName(state []int) string {
	if len(state) == 1 {
		return "state variable"
	}
	return "channel"
}

// finite32 returns "" if every value of x, standardised by st when st is
// not nil, is finite as a float32; otherwise a sentence naming the first
// value that is not, by trajectory, time and state index, and how many
// there are.
func finite32(x []float64, shape []int, path string, st *dynamics.Standardization) string {
	d := dynamics.ShapeSize(shape[2:])
	first, count := -1, 0
	var firstV float64
	for i, v := range x {
		if st != nil {
			c := i % d / st.Inner
			v = (v - st.Mean[c]) / st.Scale[c]
		}
		if f := float64(float32(v)); math.IsNaN(f) || math.IsInf(f, 0) {
			if first < 0 {
				first, firstV = i, v
			}
			count++
		}
	}
	if first < 0 {
		return ""
	}
	l := shape[1]
	where := fmt.Sprintf("trajectory %d, time %d, %s", first/(l*d), first/d%l, stateIndex(first%d, shape[2:]))
	more := ""
	if count > 1 {
		more = fmt.Sprintf(" (and %d more values)", count-1)
	}
	var why string
	switch {
	case math.IsNaN(firstV):
		why = "is NaN"
	case st != nil:
		why = fmt.Sprintf("standardises to %g, beyond float32's range", firstV)
	case math.IsInf(firstV, 0):
		why = fmt.Sprintf("is %v", firstV)
	default:
		why = fmt.Sprintf("is %g, beyond float32's range (±3.4e38)", firstV)
	}
	return fmt.Sprintf("%s: %s %s%s; every value must be finite as a float32, the precision sdapipe computes in.", path, where, why, more)
}

// stateIndex names value k of a state of that shape: "state variable 5"
// for a vector, "state (1, 4, 7)" for a field.
func stateIndex(k int, shape []int) string {
	if len(shape) == 1 {
		return fmt.Sprintf("state variable %d", k)
	}
	idx := make([]string, len(shape))
	for i := len(shape) - 1; i >= 0; i-- {
		idx[i] = fmt.Sprint(k % shape[i])
		k /= shape[i]
	}
	return "state (" + strings.Join(idx, ", ") + ")"
}

// splitIndices returns the trajectories of each split, as the parameters
// declare them, for a file of n trajectories.
func splitIndices(p *stage.Params, n int, path string) ([3][]int, []stage.ParamError) {
	var splits [3][]int
	if p.String("split") == "fractions" {
		b := p.Block("fractions")
		nTrain, nValid, nTest, err := dynamics.SplitFractions(n, b.Float("valid"), b.Float("test"))
		if err != nil {
			return splits, []stage.ParamError{{Param: "fractions.test", Detail: fmt.Sprintf(
				"valid (%g) and test (%g) must add up to at most 1.", b.Float("valid"), b.Float("test"))}}
		}
		var errs []stage.ParamError
		for i, cnt := range [3]int{nTrain, nValid, nTest} {
			if cnt == 0 {
				param := "fractions." + splitNames[i]
				if i == 0 {
					param = "fractions.valid"
				}
				errs = append(errs, stage.ParamError{Param: param, Detail: fmt.Sprintf(
					"%s holds %d trajectories, which split %d/%d/%d: the %s split is empty; change the fractions or add trajectories.",
					path, n, nTrain, nValid, nTest, splitNames[i])})
			}
		}
		first := 0
		for i, cnt := range [3]int{nTrain, nValid, nTest} {
			for j := range cnt {
				splits[i] = append(splits[i], first+j)
			}
			first += cnt
		}
		return splits, errs
	}
	b := p.Block("indices")
	owner := map[int]string{}
	var errs []stage.ParamError
	for i, name := range splitNames {
		param := "indices." + name
		list := b.Ints(name)
		if len(list) == 0 {
			errs = append(errs, stage.ParamError{Param: param, Detail: fmt.Sprintf("the %s split needs at least one trajectory.", name)})
			continue
		}
		for _, k := range list {
			if k >= n {
				errs = append(errs, stage.ParamError{Param: param, Detail: fmt.Sprintf(
					"trajectory %d is not in %s, which holds trajectories 0..%d.", k, path, n-1)})
				break
			}
			if o, dup := owner[k]; dup {
				errs = append(errs, stage.ParamError{Param: param, Detail: fmt.Sprintf(
					"trajectory %d is listed in %s already; every trajectory belongs to one split at most.", k, o)})
				break
			}
			owner[k] = name
		}
		splits[i] = list
	}
	return splits, errs
}

// gather returns the trajectories idx of x, each of per values; without a
// copy when they are consecutive.
func gather(x []float64, idx []int, per int) []float64 {
	consecutive := true
	for i, k := range idx {
		consecutive = consecutive && k == idx[0]+i
	}
	if consecutive {
		return x[idx[0]*per : (idx[0]+len(idx))*per]
	}
	out := make([]float64, 0, len(idx)*per)
	for _, k := range idx {
		out = append(out, x[k*per:(k+1)*per]...)
	}
	return out
}

func runDataset(ctx context.Context, env *stage.Env) error {
	p := env.Params
	f, _ := p.File("trajectories")
	a, err := env.ReadFileArray("trajectories")
	if err != nil {
		return err
	}
	plan, errs := planDataset(a, f.Path, p)
	if len(errs) > 0 {
		return fmt.Errorf("%s: %s", errs[0].Param, errs[0].Detail)
	}
	x := toFloat64(a)
	length, state := plan.shape[1], plan.state()
	per := length * dynamics.ShapeSize(state)
	for i, idx := range plan.splits {
		if err := ctx.Err(); err != nil {
			return err
		}
		out := make([]float32, len(idx)*per)
		buf := make([]float64, per)
		for j, k := range idx {
			plan.st.Apply(buf, x[k*per:(k+1)*per])
			for m, v := range buf {
				out[j*per+m] = float32(v)
			}
		}
		arr := artifacts.NewFloat32(append([]int{len(idx), length}, state...), out)
		if err := env.WriteArray(splitNames[i], arr, map[string]int{"time": length}, state...); err != nil {
			return err
		}
	}
	err = env.WriteNPZ("standardization", []artifacts.NamedArray{
		{Name: "mean", Array: artifacts.NewFloat64([]int{len(plan.st.Mean)}, plan.st.Mean)},
		{Name: "scale", Array: artifacts.NewFloat64([]int{len(plan.st.Scale)}, plan.st.Scale)},
	})
	if err != nil {
		return err
	}
	return env.WriteJSON("system", recordedInfo(state, plan.st))
}

// dataFacts is what the stages that read a simulate or dataset stage know
// of its data before anything runs.
type dataFacts struct {
	state  []int
	length int    // states per trajectory
	nTest  int    // test trajectories
	what   string // the data, for messages: "the simulated trajectories" or the file's path
}

// factsOf returns the facts of the data of a simulate or dataset stage of
// that kind and parameters. ok is false when that stage is itself
// misconfigured, which it reports.
func (c *Catalog) factsOf(kind *stage.Kind, p *stage.Params) (facts dataFacts, ok bool) {
	switch kind.Name {
	case "simulate":
		sys, _, err := c.buildSystem(p)
		if err != nil {
			return facts, false
		}
		_, _, nTest := dynamics.Split(p.Int("trajectories"))
		return dataFacts{state: sys.StateShape(), length: p.Int("length"), nTest: nTest, what: "the simulated trajectories"}, true
	case "dataset":
		f, ok := p.File("trajectories")
		if !ok || p.Block(p.String("split")) == nil {
			return facts, false
		}
		dt, shape, err := artifacts.ReadNPYInfoFile(f.Resolved)
		if err != nil || datasetShape(dt, shape, f.Path) != "" {
			return facts, false
		}
		splits, errs := splitIndices(p, shape[0], f.Path)
		if len(errs) > 0 {
			return facts, false
		}
		return dataFacts{state: shape[2:], length: shape[1], nTest: len(splits[2]), what: f.Path}, true
	}
	return facts, false
}
