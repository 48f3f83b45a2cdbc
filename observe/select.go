package observe

import "slices"

// float is the element type of the generic kernels behind the 32- and
// 64-bit methods.
type float interface{ ~float32 | ~float64 }

// Select observes chosen state variables at chosen times:
//
//	y = (x[t₀, v₀], x[t₀, v₁], …, x[t₁, v₀], …)
//
// time-major in the order given. It is linear, so its VJP is a scatter-add.
// docs/method.md §4.3's Lorenz "lo" scenario is variable 0 every 8th of 65 states
// (9 values), "hi" variable 0 at all 65 states.
type Select struct {
	l, d        int
	vars, times []int
	idx         []int // flat index t·D + v of each output
}

// NewSelect returns the operator observing vars at times in events of shape
// (l, d). It returns an error wrapping ErrInvalid, an *IndexError for an
// index outside the event, when the shape is empty, a list is empty or
// holds a duplicate.
func NewSelect(l, d int, vars, times []int) (*Select, error) {
	if err := checkShape(l, d); err != nil {
		return nil, err
	}
	if err := checkIndices("variable", vars, d); err != nil {
		return nil, err
	}
	if err := checkIndices("time", times, l); err != nil {
		return nil, err
	}
	s := &Select{l: l, d: d, vars: slices.Clone(vars), times: slices.Clone(times)}
	s.idx = make([]int, 0, len(vars)*len(times))
	for _, t := range times {
		for _, v := range vars {
			s.idx = append(s.idx, t*d+v)
		}
	}
	return s, nil
}

// Shape returns the event shape (L, D).
func (s *Select) Shape() (l, d int) { return s.l, s.d }

// Outputs returns M = len(vars)·len(times).
func (s *Select) Outputs() int { return len(s.idx) }

// Apply32 writes the selected values of x into dst.
func (s *Select) Apply32(dst, x []float32) { selectApply(s, dst, x) }

// Apply64 writes the selected values of x into dst.
func (s *Select) Apply64(dst, x []float64) { selectApply(s, dst, x) }

// VJP32 adds g into the selected positions of gx.
func (s *Select) VJP32(gx, x, g []float32) { selectVJP(s, gx, x, g) }

// VJP64 adds g into the selected positions of gx.
func (s *Select) VJP64(gx, x, g []float64) { selectVJP(s, gx, x, g) }

// Describe returns the KindSelect description.
func (s *Select) Describe() Description { return s.describe(KindSelect) }

func (s *Select) describe(kind string) Description {
	return Description{Kind: kind, Length: s.l, Dim: s.d,
		Vars: slices.Clone(s.vars), Times: slices.Clone(s.times), Outputs: len(s.idx)}
}

func (s *Select) check(op string, dst, x int) {
	mustLen(op, "x", x, s.l*s.d)
	mustLen(op, "y", dst, len(s.idx))
}

func selectApply[T float](s *Select, dst, x []T) {
	s.check("Select.Apply", len(dst), len(x))
	for j, i := range s.idx {
		dst[j] = x[i]
	}
}

func selectVJP[T float](s *Select, gx, x, g []T) {
	s.check("Select.VJP", len(g), len(x))
	mustLen("Select.VJP", "gx", len(gx), len(x))
	for j, i := range s.idx {
		gx[i] += g[j]
	}
}
