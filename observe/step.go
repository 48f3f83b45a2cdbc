package observe

import (
	"fmt"
	"slices"
	"strings"

	"sdapipe/settings"
)

// A Shape is the shape of an array that flows through a chain of steps:
// its axes in row-major order, and whether the first one is the
// trajectory's time axis. A chain starts from the event, (L, state...)
// with Time set; the loop step removes the time axis.
type Shape struct {
	Dims []int
	Time bool
}

// Size returns the number of values, the product of Dims.
func (s Shape) Size() int { return prod(s.Dims) }

// String renders the axes as a tuple, e.g. "(8, 2, 64, 64)".
func (s Shape) String() string { return tuple(s.Dims) }

func (s Shape) clone() Shape { return Shape{Dims: slices.Clone(s.Dims), Time: s.Time} }

// spatial returns the axes after the time axis.
func (s Shape) spatial() []int {
	if s.Time {
		return s.Dims[1:]
	}
	return s.Dims
}

// A Step is one stage of a composed observation (see Chain): a function
// from arrays of shape In to arrays of shape Out, both row-major, in
// float32 and float64 with one generic implementation, following the
// package's conventions: Apply writes dst and VJP adds J(x)ᵀ·g into gx.
// Steps are immutable and safe for concurrent use; they hold no scratch.
type Step interface {
	In() Shape
	Out() Shape
	// Linear reports whether the step is linear, so that VJP ignores x.
	Linear() bool

	// Apply32 writes the step of x into dst. It panics unless
	// len(x) = In().Size() and len(dst) = Out().Size().
	Apply32(dst, x []float32)
	// Apply64 is Apply32 in float64.
	Apply64(dst, x []float64)
	// VJP32 adds J(x)ᵀ·g into gx. It panics unless len(gx) = len(x) =
	// In().Size() and len(g) = Out().Size().
	VJP32(gx, x, g []float32)
	// VJP64 is VJP32 in float64.
	VJP64(gx, x, g []float64)
	// JVP32 writes J(x)·dx into dy. It panics unless len(x) = len(dx) =
	// In().Size() and len(dy) = Out().Size().
	JVP32(dy, x, dx []float32)
	// JVP64 is JVP32 in float64.
	JVP64(dy, x, dx []float64)
}

// A StepKind declares one kind of step: its name (the NAME of
// `op "NAME" { ... }` in a pipeline file), its settings, and how to build
// it for the shape of the array that reaches it. Steps lists them all.
type StepKind struct {
	Name     string
	Doc      string
	Settings []settings.Spec
	// Build returns the step for inputs of shape in, with v holding every
	// setting of Settings in its canonical type (see StepKind.Values). It
	// returns an error when the step does not fit in or a setting is out
	// of range; NewChain turns it into a *StepError.
	Build func(in Shape, v settings.Values) (Step, error)
}

// A StepDesc is one op of a chain as a pipeline file writes it and a
// Description stores it: the op's name and its settings. Settings hold
// int64, float64, string or []int64 values; the float64 numbers and []any
// lists that a JSON round trip makes are accepted too.
type StepDesc struct {
	Op       string         `json:"op"`
	Settings map[string]any `json:"settings,omitempty"`
}

// LookupStep returns the step kind called name.
func LookupStep(name string) (StepKind, bool) {
	for _, k := range Steps {
		if k.Name == name {
			return k, true
		}
	}
	return StepKind{}, false
}

// stepNames lists the names of Steps, for error messages.
func stepNames() string {
	names := make([]string, len(Steps))
	for i, k := range Steps {
		names[i] = k.Name
	}
	return strings.Join(names, ", ")
}

// Values checks raw settings against k's specs and returns them complete,
// in canonical types: int64 for "int", float64 for "float", string, and
// []int64 for "ints". Absent settings take their defaults; a required one
// that is absent, an unknown name, a value of the wrong type or below its
// Min is an error naming the op, the setting and the value.
func (k StepKind) Values(raw map[string]any) (settings.Values, error) {
	for name := range raw {
		if !slices.ContainsFunc(k.Settings, func(s settings.Spec) bool { return s.Name == name }) {
			return nil, &buildError{setting: name, msg: fmt.Sprintf("%s has no setting %q (%s)", k.Name, name, k.takes())}
		}
	}
	v := settings.Values{}
	for _, s := range k.Settings {
		r, ok := raw[s.Name]
		if !ok {
			if s.Default == nil {
				return nil, &buildError{setting: s.Name, msg: fmt.Sprintf("%s needs setting %s: %s", k.Name, s.Name, s.Doc)}
			}
			r = s.Default
		}
		c, err := canonical(s, r)
		if err != nil {
			return nil, &buildError{setting: s.Name, msg: fmt.Sprintf("%s %s %s", k.Name, s.Name, err)}
		}
		v[s.Name] = c
	}
	return v, nil
}

// takes lists k's settings for error messages.
func (k StepKind) takes() string {
	if len(k.Settings) == 0 {
		return "it takes no settings"
	}
	names := make([]string, len(k.Settings))
	for i, s := range k.Settings {
		names[i] = s.Name
	}
	return "it takes " + strings.Join(names, ", ")
}

// canonical converts r to the type of s and checks s.Min; the error text
// follows "<op> <setting> ".
func canonical(s settings.Spec, r any) (any, error) {
	var low float64
	if s.Min != nil {
		low = *s.Min
	}
	switch kind := s.Kind(); kind {
	case "int":
		n, ok := wholeNumber(r)
		if !ok {
			return nil, fmt.Errorf("%s is not a whole number", show(r))
		}
		if s.Min != nil && float64(n) < low {
			return nil, fmt.Errorf("%d must be at least %g", n, low)
		}
		return n, nil
	case "float":
		x, ok := realNumber(r)
		if !ok {
			return nil, fmt.Errorf("%s is not a number", show(r))
		}
		if s.Min != nil && x < low {
			return nil, fmt.Errorf("%g must be at least %g", x, low)
		}
		return x, nil
	case "string":
		str, ok := r.(string)
		if !ok {
			return nil, fmt.Errorf("%s is not a string", show(r))
		}
		return str, nil
	case "ints":
		list, ok := wholeNumbers(r)
		if !ok {
			return nil, fmt.Errorf("%s is not a list of whole numbers", show(r))
		}
		for _, n := range list {
			if s.Min != nil && float64(n) < low {
				return nil, fmt.Errorf("%s: %d must be at least %g", show(r), n, low)
			}
		}
		return list, nil
	default:
		panic(fmt.Sprintf("observe: setting %s has unknown type %q", s.Name, kind))
	}
}

// show renders a raw setting value in messages, quoting strings.
func show(r any) string {
	if s, ok := r.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(r)
}

func wholeNumber(r any) (int64, bool) {
	switch n := r.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		// Bounded so that the conversion is exact and defined.
		if n == float64(int64(n)) && n > -1<<53 && n < 1<<53 {
			return int64(n), true
		}
	}
	return 0, false
}

func realNumber(r any) (float64, bool) {
	switch n := r.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	}
	return 0, false
}

func wholeNumbers(r any) ([]int64, bool) {
	switch l := r.(type) {
	case []int64:
		return slices.Clone(l), true
	case []int:
		out := make([]int64, len(l))
		for i, n := range l {
			out[i] = int64(n)
		}
		return out, true
	case []any:
		out := make([]int64, len(l))
		for i, e := range l {
			n, ok := wholeNumber(e)
			if !ok {
				return nil, false
			}
			out[i] = n
		}
		return out, true
	}
	return nil, false
}

// A buildError is a step that does not fit, as Build and Values report
// it; NewChain adds the op's position and input shape.
type buildError struct {
	setting string // "" when the op as a whole does not fit
	msg     string
}

func (e *buildError) Error() string { return e.msg }

// misfit returns a buildError about setting.
func misfit(setting, format string, args ...any) error {
	return &buildError{setting: setting, msg: fmt.Sprintf(format, args...)}
}

// fns holds a step's kernels in one precision. Linear steps leave jvp
// nil: their JVP is apply(dx).
type fns[T float] struct {
	apply func(dst, x []T)
	vjp   func(gx, x, g []T)
	jvp   func(dy, x, dx []T)
}

// step implements Step from a kernel pair per precision; the kernels are
// generic functions instantiated twice, so both precisions compute the
// same function.
type step struct {
	name    string
	in, out Shape
	linear  bool
	times   []int // every and states: the input states kept, in output order
	// region maps a pixel of the output plane to the rectangle
	// [r0, r1) × [c0, c1) of the input plane it comes from (coarsen,
	// subsample, crop); nil for steps that keep the plane as it is.
	region func(r, c int) (r0, r1, c0, c1 int)
	f32    fns[float32]
	f64    fns[float64]
}

func (s *step) In() Shape    { return s.in.clone() }
func (s *step) Out() Shape   { return s.out.clone() }
func (s *step) Linear() bool { return s.linear }

func (s *step) Apply32(dst, x []float32) {
	s.check("Apply", len(dst), len(x), len(x))
	s.f32.apply(dst, x)
}

func (s *step) Apply64(dst, x []float64) {
	s.check("Apply", len(dst), len(x), len(x))
	s.f64.apply(dst, x)
}

func (s *step) VJP32(gx, x, g []float32) {
	s.check("VJP", len(g), len(x), len(gx))
	s.f32.vjp(gx, x, g)
}

func (s *step) VJP64(gx, x, g []float64) {
	s.check("VJP", len(g), len(x), len(gx))
	s.f64.vjp(gx, x, g)
}

func (s *step) JVP32(dy, x, dx []float32) { stepJVP(s, &s.f32, dy, x, dx) }

func (s *step) JVP64(dy, x, dx []float64) { stepJVP(s, &s.f64, dy, x, dx) }

func stepJVP[T float](s *step, f *fns[T], dy, x, dx []T) {
	s.check("JVP", len(dy), len(x), len(dx))
	if f.jvp == nil {
		f.apply(dy, dx)
		return
	}
	f.jvp(dy, x, dx)
}

// check panics unless x and its companion (gx for VJP, dx for JVP, x
// itself for Apply) have In().Size() values and the output side (y, g or
// dy) Out().Size(). It formats only on failure: the kernels must not
// allocate.
func (s *step) check(op string, out, in, companion int) {
	nIn, nOut := s.in.Size(), s.out.Size()
	names := [3]string{"y", "x", "x"}
	switch op {
	case "VJP":
		names = [3]string{"g", "x", "gx"}
	case "JVP":
		names = [3]string{"dy", "x", "dx"}
	}
	switch {
	case in != nIn:
		panic(fmt.Sprintf("observe: %s.%s: len(%s) = %d, want %d", s.name, op, names[1], in, nIn))
	case companion != nIn:
		panic(fmt.Sprintf("observe: %s.%s: len(%s) = %d, want %d", s.name, op, names[2], companion, nIn))
	case out != nOut:
		panic(fmt.Sprintf("observe: %s.%s: len(%s) = %d, want %d", s.name, op, names[0], out, nOut))
	}
}

// addTo adds src into dst elementwise; len(dst) ≥ len(src).
func addTo[T float](dst, src []T) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] += v
	}
}

func prod(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// tuple renders dims as "(a, b, c)".
func tuple(dims []int) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
