package observe

import (
	"slices"

	"sdapipe/settings"
)

// Steps on the time axis: every, states and loop.

var everyKind = StepKind{
	Name: "every",
	Doc:  "states offset, offset+n, … of the time axis (x[offset::n])",
	Settings: []settings.Spec{
		{Name: "n", Type: "int", Min: settings.Bound(1), Doc: "keep every n-th state"},
		{Name: "offset", Default: int64(0), Min: settings.Bound(0), Doc: "the first state kept"},
	},
	Build: buildEvery,
}

var statesKind = StepKind{
	Name: "states",
	Doc:  "the listed states of the time axis, in the order listed; negative indices count from the end (-1 is the last)",
	Settings: []settings.Spec{
		{Name: "indices", Type: "ints", Doc: "time indices to keep, e.g. [0, 3, 6] or [-1]"},
	},
	Build: buildStates,
}

var loopKind = StepKind{
	Name:  "loop",
	Doc:   "the first state minus the last, x_1 − x_L; the time axis disappears",
	Build: buildLoop,
}

// timeAxis returns the length of in's time axis, or an error naming op
// when an earlier loop removed it.
func timeAxis(op string, in Shape) (int, error) {
	if !in.Time {
		return 0, misfit("", "%s needs the time axis, which an earlier loop removed", op)
	}
	return in.Dims[0], nil
}

func buildEvery(in Shape, v settings.Values) (Step, error) {
	l, err := timeAxis("every", in)
	if err != nil {
		return nil, err
	}
	n, offset := v.Int("n"), v.Int("offset")
	if offset >= l {
		return nil, misfit("offset", "every offset %d leaves no state: the input has %d states (offsets 0..%d fit)", offset, l, l-1)
	}
	times, err := Every(offset, n, l)
	if err != nil {
		panic("observe: every: " + err.Error()) // n ≥ 1 and 0 ≤ offset < l were checked
	}
	return newPick("every", in, times), nil
}

func buildStates(in Shape, v settings.Values) (Step, error) {
	l, err := timeAxis("states", in)
	if err != nil {
		return nil, err
	}
	idx := v.Ints("indices")
	if len(idx) == 0 {
		return nil, misfit("indices", "states indices is empty: list at least one state")
	}
	times := make([]int, len(idx))
	for j, i := range idx {
		t := i
		if t < 0 {
			t += l
		}
		if t < 0 || t >= l {
			return nil, misfit("indices", "states index %d does not exist: the input has %d states (indices 0..%d, or %d..-1 from the end)", i, l, l-1, -l)
		}
		if k := slices.Index(times[:j], t); k >= 0 {
			if idx[k] == i {
				return nil, misfit("indices", "states index %d is listed twice", i)
			}
			return nil, misfit("indices", "states indices %d and %d both name state %d", idx[k], i, t)
		}
		times[j] = t
	}
	return newPick("states", in, times), nil
}

// newPick returns the step keeping the states times of the time axis.
func newPick(name string, in Shape, times []int) Step {
	stride := in.Size() / in.Dims[0]
	out := Shape{Dims: append([]int{len(times)}, in.Dims[1:]...), Time: true}
	return &step{name: name, in: in, out: out, linear: true, times: times,
		f32: pickFns[float32](times, stride), f64: pickFns[float64](times, stride)}
}

// pickFns copies states times[j] (stride values each) to output state j;
// the VJP adds them back.
func pickFns[T float](times []int, stride int) fns[T] {
	return fns[T]{
		apply: func(dst, x []T) {
			for j, t := range times {
				copy(dst[j*stride:(j+1)*stride], x[t*stride:(t+1)*stride])
			}
		},
		vjp: func(gx, _, g []T) {
			for j, t := range times {
				addTo(gx[t*stride:(t+1)*stride], g[j*stride:(j+1)*stride])
			}
		},
	}
}

func buildLoop(in Shape, _ settings.Values) (Step, error) {
	l, err := timeAxis("loop", in)
	if err != nil {
		return nil, err
	}
	if l < 2 {
		return nil, misfit("", "loop needs at least two states, but the input has %d", l)
	}
	n := in.Size() / l
	last := (l - 1) * n
	out := Shape{Dims: slices.Clone(in.Dims[1:])}
	return &step{name: "loop", in: in, out: out, linear: true,
		f32: loopFns[float32](n, last), f64: loopFns[float64](n, last)}, nil
}

// loopFns computes y = x[0] − x[L−1], states of n values, the last at
// offset last.
func loopFns[T float](n, last int) fns[T] {
	return fns[T]{
		apply: func(dst, x []T) {
			first, end := x[:n], x[last:last+n]
			for k := range dst[:n] {
				dst[k] = first[k] - end[k]
			}
		},
		vjp: func(gx, _, g []T) {
			first, end := gx[:n], gx[last:last+n]
			for k, v := range g[:n] {
				first[k] += v
				end[k] -= v
			}
		},
	}
}
