package observe

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Steps lists every step kind a chain can use, in the order a pipeline
// file's documentation shows them.
var Steps = []StepKind{everyKind, statesKind, loopKind, coarsenKind, subsampleKind, cropKind, vorticityKind, saturateKind, maskKind}

// A Chain is the observation operator that applies ops in the order
// written, each to what the previous one gave: for example
//
//	every n=4 | coarsen factor=8
//
// maps events (29, 2, 64, 64) to (8, 2, 8, 8), docs/method.md §4.3's
// Kolmogorov scenario 1. Its VJP runs the ops forward as far as the last
// non-linear one, then their VJPs backward. Intermediate arrays live in
// scratch that the chain reuses across calls (one set per call in flight),
// so it is safe for concurrent use and does not allocate once warm. It is
// Linearizable: JVP pushes a tangent through the steps the same way.
type Chain struct {
	length int
	state  []int
	descs  []StepDesc // canonical settings, defaults filled in
	steps  []Step
	shapes []Shape // shapes[i] reaches steps[i]; the last is the observation's
	// fwd is the index of the last non-linear step, 0 when all are linear:
	// the VJP needs the inputs of steps[:fwd+1], so it applies steps[:fwd].
	fwd int
	// times[j] is the event state behind index j of the observation's time
	// axis; nil when there is none.
	times  []int
	pool32 pool[float32]
	pool64 pool[float64]
}

// NewChain returns the chain of steps for events of length states of
// shape state. Each StepDesc names a kind of Steps and its settings (see
// StepKind.Values). It returns a *StepError, which wraps ErrInvalid, for
// an op that is unknown, has a bad setting or does not fit the shape
// reaching it, and an error wrapping ErrInvalid for an empty event shape
// or an empty list of steps.
func NewChain(length int, state []int, steps []StepDesc) (*Chain, error) {
	if length < 1 || len(state) == 0 || slices.Min(state) < 1 {
		return nil, invalid("event shape %s must have at least one state of at least one value",
			tuple(append([]int{length}, state...)))
	}
	if len(steps) == 0 {
		return nil, invalid("a chain needs at least one op (%s)", stepNames())
	}
	c := &Chain{length: length, state: slices.Clone(state)}
	in := Shape{Dims: append([]int{length}, state...), Time: true}
	c.shapes = append(c.shapes, in)
	c.times = make([]int, length)
	for t := range c.times {
		c.times[t] = t
	}
	for i, d := range steps {
		fail := func(err error) error {
			e := &StepError{Index: i, Op: d.Op, In: in, Msg: err.Error()}
			if be, ok := err.(*buildError); ok {
				e.Setting = be.setting
			}
			return e
		}
		kind, ok := LookupStep(d.Op)
		if !ok {
			return nil, fail(fmt.Errorf("unknown op %q (ops: %s)", d.Op, stepNames()))
		}
		v, err := kind.Values(d.Settings)
		if err != nil {
			return nil, fail(err)
		}
		s, err := kind.Build(in, v)
		if err != nil {
			return nil, fail(err)
		}
		if !s.Linear() {
			c.fwd = i
		}
		c.times = keptTimes(c.times, s)
		c.descs = append(c.descs, StepDesc{Op: d.Op, Settings: v})
		c.steps = append(c.steps, s)
		in = s.Out()
		c.shapes = append(c.shapes, in)
	}
	sizes := make([]int, len(steps)-1)
	for i := range sizes {
		sizes[i] = c.shapes[i+1].Size()
	}
	c.pool32.sizes, c.pool64.sizes = sizes, sizes
	return c, nil
}

// keptTimes returns the event states behind the time axis of s's output,
// given those behind its input; nil when there are none or they are not
// known (a Step other than this package's changed the time axis).
func keptTimes(times []int, s Step) []int {
	out := s.Out()
	if times == nil || !out.Time {
		return nil
	}
	if st, ok := s.(*step); ok && st.times != nil {
		kept := make([]int, len(st.times))
		for j, t := range st.times {
			kept[j] = times[t]
		}
		return kept
	}
	if out.Dims[0] != len(times) {
		return nil
	}
	return times
}

// Shape returns the event shape (L, D), D the number of values per state.
func (c *Chain) Shape() (l, d int) { return c.length, prod(c.state) }

// State returns the shape of a state, e.g. (2, 64, 64).
func (c *Chain) State() []int { return slices.Clone(c.state) }

// OutShape returns the observation's shape, e.g. (8, 2, 8, 8).
func (c *Chain) OutShape() []int { return slices.Clone(c.shapes[len(c.shapes)-1].Dims) }

// Outputs returns M, the number of observed values.
func (c *Chain) Outputs() int { return c.shapes[len(c.shapes)-1].Size() }

// Times returns, for each index of the observation's first axis, the
// state of the event it comes from — [0 4 … 28] for every n=4 on L = 29 —
// or false when a loop removed the time axis.
func (c *Chain) Times() ([]int, bool) { return slices.Clone(c.times), c.times != nil }

// Steps returns the built steps, in order.
func (c *Chain) Steps() []Step { return slices.Clone(c.steps) }

// Region maps pixel (r, col) of the observation's last two axes to the
// rectangle [r0, r1) × [c0, c1) of the state's last two axes that it
// summarises: a block for coarsen, the stride's block for subsample, the
// pixel itself for crop and for steps that keep the plane. Figures use it
// to draw an observation where it lies. ok is false when the state or the
// observation has fewer than two axes, or when a step changes the plane
// in another way.
func (c *Chain) Region(r, col int) (r0, r1, c0, c1 int, ok bool) {
	r0, r1, c0, c1 = r, r+1, col, col+1
	for i := len(c.steps) - 1; i >= 0; i-- {
		in, out := c.shapes[i].Dims, c.shapes[i+1].Dims
		if len(in) < 3 || len(out) < 2 {
			return 0, 0, 0, 0, false
		}
		same := in[len(in)-2] == out[len(out)-2] && in[len(in)-1] == out[len(out)-1]
		st, isStep := c.steps[i].(*step)
		switch {
		case isStep && st.region != nil:
			a0, _, b0, _ := st.region(r0, c0)
			_, a1, _, b1 := st.region(r1-1, c1-1)
			r0, r1, c0, c1 = a0, a1, b0, b1
		case !same:
			return 0, 0, 0, 0, false
		}
	}
	return r0, r1, c0, c1, true
}

// Apply32 writes A(x) into dst. It panics unless len(x) = L·D and
// len(dst) = M.
func (c *Chain) Apply32(dst, x []float32) { chainApply(c, &c.pool32, Step.Apply32, dst, x) }

// Apply64 writes A(x) into dst.
func (c *Chain) Apply64(dst, x []float64) { chainApply(c, &c.pool64, Step.Apply64, dst, x) }

// VJP32 adds J_A(x)ᵀ·g into gx.
func (c *Chain) VJP32(gx, x, g []float32) {
	chainVJP(c, &c.pool32, Step.Apply32, Step.VJP32, gx, x, g)
}

// VJP64 adds J_A(x)ᵀ·g into gx.
func (c *Chain) VJP64(gx, x, g []float64) {
	chainVJP(c, &c.pool64, Step.Apply64, Step.VJP64, gx, x, g)
}

// JVP32 writes J_A(x)·dx into dy. It panics unless len(x) = len(dx) = L·D
// and len(dy) = M.
func (c *Chain) JVP32(dy, x, dx []float32) {
	chainJVP(c, &c.pool32, Step.Apply32, Step.JVP32, dy, x, dx)
}

// JVP64 writes J_A(x)·dx into dy.
func (c *Chain) JVP64(dy, x, dx []float64) {
	chainJVP(c, &c.pool64, Step.Apply64, Step.JVP64, dy, x, dx)
}

// Describe returns the KindChain description.
func (c *Chain) Describe() Description {
	steps := make([]StepDesc, len(c.descs))
	for i, d := range c.descs {
		s := maps.Clone(d.Settings)
		for k, v := range s {
			if l, ok := v.([]int64); ok {
				s[k] = slices.Clone(l)
			}
		}
		steps[i] = StepDesc{Op: d.Op, Settings: s}
	}
	l, d := c.Shape()
	return Description{Kind: KindChain, Length: l, Dim: d, State: c.State(), Steps: steps,
		Out: c.OutShape(), Outputs: c.Outputs()}
}

func (c *Chain) check(op string, x, y int) {
	l, d := c.Shape()
	mustLen(op, "x", x, l*d)
	mustLen(op, "y", y, c.Outputs())
}

func chainApply[T float](c *Chain, p *pool[T], apply func(Step, []T, []T), dst, x []T) {
	c.check("Chain.Apply", len(x), len(dst))
	n := len(c.steps)
	if n == 1 {
		apply(c.steps[0], dst, x)
		return
	}
	sc := p.get()
	defer p.put(sc)
	in := x
	for i, s := range c.steps {
		out := dst
		if i < n-1 {
			out = sc.act[i]
		}
		apply(s, out, in)
		in = out
	}
}

func chainVJP[T float](c *Chain, p *pool[T], apply func(Step, []T, []T), vjp func(Step, []T, []T, []T), gx, x, g []T) {
	c.check("Chain.VJP", len(x), len(g))
	mustLen("Chain.VJP", "gx", len(gx), len(x))
	n := len(c.steps)
	if n == 1 {
		vjp(c.steps[0], gx, x, g)
		return
	}
	sc := p.get()
	defer p.put(sc)
	input := func(i int) []T {
		if i == 0 {
			return x
		}
		return sc.act[i-1]
	}
	// Linear steps ignore x, so the inputs past fwd may hold stale values.
	for i := range c.fwd {
		apply(c.steps[i], sc.act[i], input(i))
	}
	gout := g
	for i := n - 1; i >= 0; i-- {
		gin := gx
		if i > 0 {
			gin = sc.grad[i-1]
			clear(gin)
		}
		vjp(c.steps[i], gin, input(i), gout)
		gout = gin
	}
}

// chainJVP pushes the tangent dx through the steps, each at its input,
// which it computes as far as the last non-linear step; the tangents
// between steps live in the scratch's grad arrays.
func chainJVP[T float](c *Chain, p *pool[T], apply func(Step, []T, []T), jvp func(Step, []T, []T, []T), dy, x, dx []T) {
	c.check("Chain.JVP", len(x), len(dy))
	mustLen("Chain.JVP", "dx", len(dx), len(x))
	n := len(c.steps)
	if n == 1 {
		jvp(c.steps[0], dy, x, dx)
		return
	}
	sc := p.get()
	defer p.put(sc)
	xin, din := x, dx
	for i, s := range c.steps {
		dout := dy
		if i < n-1 {
			dout = sc.grad[i]
		}
		jvp(s, dout, xin, din)
		if i < n-1 {
			// Linear steps ignore x, so the inputs past fwd may hold stale values.
			if i < c.fwd {
				apply(s, sc.act[i], xin)
			}
			xin, din = sc.act[i], dout
		}
	}
}

// A pool keeps scratch sets for a chain's intermediate arrays. It is a
// mutex-guarded free list rather than a sync.Pool: it never drops a set
// (sync.Pool empties at each garbage collection and, under the race
// detector, at random), so a warm chain never allocates, and it holds at
// most as many sets as calls were ever in flight at once.
type pool[T float] struct {
	sizes []int // of the intermediate arrays, steps[0..n−2]'s outputs

	mu   sync.Mutex
	free []*scratch[T] // guarded by mu
}

// scratch holds one call's intermediate arrays and their gradients.
type scratch[T float] struct {
	act, grad [][]T
}

func (p *pool[T]) get() *scratch[T] {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		s := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return s
	}
	p.mu.Unlock()
	s := &scratch[T]{act: make([][]T, len(p.sizes)), grad: make([][]T, len(p.sizes))}
	for i, n := range p.sizes {
		s.act[i], s.grad[i] = make([]T, n), make([]T, n)
	}
	return s
}

func (p *pool[T]) put(s *scratch[T]) {
	p.mu.Lock()
	p.free = append(p.free, s)
	p.mu.Unlock()
}

// chainString renders a chain description in one line, e.g.
// "every n=4 | coarsen factor=8 of (29, 2, 64, 64) -> (8, 2, 8, 8) = 1024 values";
// settings at their defaults are left out.
func chainString(d Description) string {
	ops := make([]string, len(d.Steps))
	for i, s := range d.Steps {
		ops[i] = s.Op + describeSettings(s)
	}
	return fmt.Sprintf("%s of %s -> %s = %d values", strings.Join(ops, " | "),
		tuple(append([]int{d.Length}, d.State...)), tuple(d.Out), d.Outputs)
}

// describeSettings renders the settings of d that differ from their
// defaults as " name=value" words, in the order the kind declares them.
func describeSettings(d StepDesc) string {
	k, ok := LookupStep(d.Op)
	if !ok {
		return fmt.Sprint(" ", d.Settings)
	}
	var b strings.Builder
	for _, spec := range k.Settings {
		raw, ok := d.Settings[spec.Name]
		if !ok {
			continue
		}
		v, err := canonical(spec, raw)
		if err != nil {
			v = raw
		} else if spec.Default != nil && fmt.Sprint(v) == fmt.Sprint(spec.Default) {
			continue
		}
		if list, ok := v.([]int64); ok {
			parts := make([]string, len(list))
			for i, n := range list {
				parts[i] = fmt.Sprint(n)
			}
			v = "[" + strings.Join(parts, ",") + "]"
		}
		fmt.Fprintf(&b, " %s=%v", spec.Name, v)
	}
	return b.String()
}

var _ Linearizable = (*Chain)(nil)
