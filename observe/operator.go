package observe

import (
	"fmt"
	"slices"
	"strings"
)

// An Operator is an observation operator A: one event x of shape (L, D),
// row-major, to M observed values.
type Operator interface {
	// Shape returns the event shape (L, D) the operator was built for.
	Shape() (l, d int)
	// Outputs returns M, the number of values per observation.
	Outputs() int

	// Apply32 writes A(x) into dst. It panics unless len(x) = L·D and
	// len(dst) = M.
	Apply32(dst, x []float32)
	// Apply64 is Apply32 in float64.
	Apply64(dst, x []float64)
	// VJP32 adds J_A(x)ᵀ·g into gx, where J_A(x) is the (M, L·D) Jacobian
	// of A at x. It panics unless len(gx) = len(x) = L·D and len(g) = M.
	VJP32(gx, x, g []float32)
	// VJP64 is VJP32 in float64.
	VJP64(gx, x, g []float64)

	// Describe returns the operator's configuration; Build(Describe())
	// rebuilds an identical operator.
	Describe() Description
}

// Operator kinds, as stored in Description.Kind.
const (
	KindSelect   = "select"   // y = x[t, v] for t in Times, v in Vars
	KindSaturate = "saturate" // y = g(x[t, v]), g(w) = w / (1 + |w|)
	KindNorm     = "norm"     // y = ‖x[t, :]‖₂ for t in Times
	KindChain    = "chain"    // y = the Steps applied in order (see Chain)
)

// A Description is an operator's configuration in a form that a stage can
// store as JSON and hash.
//
// Fields a kind does not use stay empty and out of the JSON, so the
// descriptions of select, saturate and norm operators encode as they did
// before chains existed (their stored digests depend on it).
type Description struct {
	Kind    string     `json:"kind"`            // KindSelect, KindSaturate, KindNorm or KindChain
	Length  int        `json:"length"`          // L, states per event
	Dim     int        `json:"dim"`             // D, variables per state
	State   []int      `json:"state,omitempty"` // KindChain: the shape of a state, of D values
	Vars    []int      `json:"vars,omitempty"`  // observed variables; empty for KindNorm and KindChain
	Times   []int      `json:"times,omitempty"` // observed time indices, in output order; empty for KindChain
	Steps   []StepDesc `json:"steps,omitempty"` // KindChain: the ops, in order, settings complete
	Out     []int      `json:"out,omitempty"`   // KindChain: the observation's shape, of M values
	Outputs int        `json:"outputs"`         // M
}

// String renders d in one line, e.g.
// "select vars [0] at 9 times [0 8 … 64] of (65, 3) -> 9 values" or
// "every n=4 | coarsen factor=8 of (29, 2, 64, 64) -> (8, 2, 8, 8) = 1024 values".
func (d Description) String() string {
	if d.Kind == KindChain {
		return chainString(d)
	}
	var b strings.Builder
	b.WriteString(d.Kind)
	if len(d.Vars) > 0 {
		fmt.Fprintf(&b, " vars %v", d.Vars)
	}
	times := fmt.Sprint(d.Times)
	if len(d.Times) > 6 {
		times = fmt.Sprintf("[%d %d … %d]", d.Times[0], d.Times[1], d.Times[len(d.Times)-1])
	}
	fmt.Fprintf(&b, " at %d times %s of (%d, %d) -> %d values",
		len(d.Times), times, d.Length, d.Dim, d.Outputs)
	return b.String()
}

// Build constructs the operator that d describes, validating it as the
// constructors do. The Outputs field, when non-zero, must agree.
func Build(d Description) (Operator, error) {
	if d.Kind == KindChain {
		return buildChain(d)
	}
	if len(d.State) > 0 || len(d.Steps) > 0 || len(d.Out) > 0 {
		return nil, invalid("a %s operator takes no state, steps or out (only a %s does)", d.Kind, KindChain)
	}
	var op Operator
	var err error
	switch d.Kind {
	case KindSelect:
		op, err = NewSelect(d.Length, d.Dim, d.Vars, d.Times)
	case KindSaturate:
		var s *Select
		if s, err = NewSelect(d.Length, d.Dim, d.Vars, d.Times); err == nil {
			op = NewSaturate(s)
		}
	case KindNorm:
		if len(d.Vars) > 0 {
			return nil, invalid("a %s operator takes no vars", KindNorm)
		}
		op, err = NewNorm(d.Length, d.Dim, d.Times)
	default:
		return nil, invalid("unknown operator kind %q (want %q, %q, %q or %q)",
			d.Kind, KindSelect, KindSaturate, KindNorm, KindChain)
	}
	if err != nil {
		return nil, err
	}
	if d.Outputs != 0 && d.Outputs != op.Outputs() {
		return nil, invalid("description says %d outputs but the operator has %d", d.Outputs, op.Outputs())
	}
	return op, nil
}

// buildChain is Build for KindChain: the chain, checked against the
// description's Dim, Out and Outputs where they are set.
func buildChain(d Description) (Operator, error) {
	if len(d.Vars) > 0 || len(d.Times) > 0 {
		return nil, invalid("a %s operator takes no vars or times: its steps say what is observed", KindChain)
	}
	c, err := NewChain(d.Length, d.State, d.Steps)
	if err != nil {
		return nil, err
	}
	_, dim := c.Shape()
	switch {
	case d.Dim != 0 && d.Dim != dim:
		return nil, invalid("description says %d variables per state but the state %s has %d", d.Dim, tuple(d.State), dim)
	case d.Out != nil && !slices.Equal(d.Out, c.OutShape()):
		return nil, invalid("description says the observation is %s but the steps give %s", tuple(d.Out), tuple(c.OutShape()))
	case d.Outputs != 0 && d.Outputs != c.Outputs():
		return nil, invalid("description says %d outputs but the operator has %d", d.Outputs, c.Outputs())
	}
	return c, nil
}

// Every returns the time indices start, start+step, … below length: the
// "every step-th state from start" observation pattern. docs/method.md §4.3's "lo"
// scenario is Every(0, 8, 65), nine indices 0, 8, …, 64.
func Every(start, step, length int) ([]int, error) {
	switch {
	case step < 1:
		return nil, invalid("step %d must be at least 1", step)
	case start < 0 || start >= length:
		return nil, &IndexError{What: "time", Index: start, Size: length}
	}
	times := make([]int, 0, (length-start+step-1)/step)
	for t := start; t < length; t += step {
		times = append(times, t)
	}
	return times, nil
}

// checkShape validates an event shape.
func checkShape(l, d int) error {
	if l < 1 || d < 1 {
		return invalid("event shape (%d, %d) must have at least one state and one variable", l, d)
	}
	return nil
}

// checkIndices validates a list of indices below size, rejecting an empty
// list and duplicates; what names them in errors ("variable" or "time").
func checkIndices(what string, idx []int, size int) error {
	if len(idx) == 0 {
		return invalid("no %ss selected", what)
	}
	seen := make(map[int]bool, len(idx))
	for _, i := range idx {
		if i < 0 || i >= size {
			return &IndexError{What: what, Index: i, Size: size}
		}
		if seen[i] {
			return invalid("%s %d is listed twice", what, i)
		}
		seen[i] = true
	}
	return nil
}

// mustLen panics with an "observe: " message when a slice has the wrong length.
func mustLen(op, name string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("observe: %s: len(%s) = %d, want %d", op, name, got, want))
	}
}
