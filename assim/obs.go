package assim

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"sdapipe/observe"
)

// A StateOperator is an observation operator of one state, h: R^D → R^P.
// It must be safe for concurrent use and not allocate.
type StateOperator interface {
	// Dim returns D, the length of a state.
	Dim() int
	// Outputs returns P, the number of observed values.
	Outputs() int
	// Apply writes h(x) into dst (length P).
	Apply(dst, x []float64)
	// VJP adds J_h(x)ᵀ·g into gx (length D), as observe's operators do.
	VJP(gx, x, g []float64)
}

// Observations are time-local observations of a window of L states:
// at state Times[j] the values Y[j·P : (j+1)·P] = h(x_{Times[j]}) + ε with
// ε ~ N(0, diag(R)).
type Observations struct {
	Times []int         // observed states, strictly increasing, in [0, L)
	Y     []float64     // (len(Times), P) row-major
	R     []float64     // (P) error variances, > 0
	H     StateOperator // h, the same at every observed state
}

// P returns the number of values observed at each observed state.
func (o *Observations) P() int { return o.H.Outputs() }

// Validate reports, wrapping ErrObservations, observations that do not fit
// a window of length states of dimension dim.
func (o *Observations) Validate(length, dim int) error {
	if o.H == nil {
		return obsErr("no observation operator")
	}
	if o.H.Dim() != dim {
		return obsErr("the operator observes states of %d variables, the model has %d", o.H.Dim(), dim)
	}
	p := o.H.Outputs()
	for j, t := range o.Times {
		if t < 0 || t >= length {
			return obsErr("observed state %d is outside the window of %d states", t, length)
		}
		if j > 0 && t <= o.Times[j-1] {
			return obsErr("observed states must increase: %d follows %d", t, o.Times[j-1])
		}
	}
	if len(o.Y) != len(o.Times)*p {
		return obsErr("%d values for %d observed states of %d values each", len(o.Y), len(o.Times), p)
	}
	if !isFinite(o.Y) {
		return obsErr("an observed value is not finite")
	}
	if len(o.R) != p {
		return obsErr("%d error variances for %d observed values per state", len(o.R), p)
	}
	for _, r := range o.R {
		if !(r > 0) || math.IsInf(r, 0) {
			return obsErr("error variance %v, want a finite value > 0", r)
		}
	}
	return nil
}

// index returns, for each state of a window of length L, the row of Y
// observed there or −1.
func (o *Observations) index(length int) []int {
	idx := make([]int, length)
	for i := range idx {
		idx[i] = -1
	}
	for j, t := range o.Times {
		idx[t] = j
	}
	return idx
}

// Linear is the linear observation operator h(x) = H·x for a P×D matrix H.
type Linear struct {
	h    []float64
	p, d int
}

// NewLinear returns the operator of the row-major P×D matrix h (copied).
// It panics if len(h) ≠ p·d or a size is below 1.
func NewLinear(h []float64, p, d int) *Linear {
	if p < 1 || d < 1 || len(h) != p*d {
		panic("assim: NewLinear needs a P×D matrix with P, D ≥ 1")
	}
	return &Linear{h: slices.Clone(h), p: p, d: d}
}

// Identity returns the operator that observes all d variables.
func Identity(d int) *Linear {
	h := make([]float64, d*d)
	for i := range d {
		h[i*d+i] = 1
	}
	return NewLinear(h, d, d)
}

func (l *Linear) Dim() int     { return l.d }
func (l *Linear) Outputs() int { return l.p }

// Apply writes H·x into dst.
func (l *Linear) Apply(dst, x []float64) {
	checkOp("Linear.Apply", len(dst), len(x), l.p, l.d)
	for i := range l.p {
		var s float64
		for j, v := range x {
			s += l.h[i*l.d+j] * v
		}
		dst[i] = s
	}
}

// VJP adds Hᵀ·g into gx.
func (l *Linear) VJP(gx, x, g []float64) {
	checkOp("Linear.VJP", len(g), len(x), l.p, l.d)
	if len(gx) != l.d {
		panic("assim: Linear.VJP needs len(gx) = D")
	}
	for i, gi := range g {
		for j := range l.d {
			gx[j] += l.h[i*l.d+j] * gi
		}
	}
}

func checkOp(fn string, p, d, wantP, wantD int) {
	if p != wantP || d != wantD {
		panic(fmt.Sprintf("assim: %s: got (P, D) = (%d, %d), want (%d, %d)", fn, p, d, wantP, wantD))
	}
}

// A Standardizer maps physical states to standardised ones, elementwise
// and affinely (x̃ = (x − mean)/scale); dynamics.System has this method.
type Standardizer interface {
	Standardize(dst, x []float64)
}

// standardized is h(x) = A(S(x)) for an observe.Operator A of one state and
// the standardisation S, whose derivative is diag(inv).
type standardized struct {
	op   observe.Operator
	std  Standardizer
	inv  []float64      // ∂S_i/∂x_i
	pool chan []float64 // scratch states, so Apply is allocation-free and concurrent
}

// Standardized returns the StateOperator h(x) = A(S(x)) for an observe
// operator A of one state (event shape (1, D)) and the standardisation S
// of std: the observations of docs/method.md §4.3 live in standardised
// units while the methods work in physical ones. Apply calls S itself, so
// h(x) is bit for bit what the particle filter's likelihood and the
// metrics compute; VJP needs S's derivative, which Standardized reads by
// standardising the zero and unit vectors. It returns an error
// wrapping ErrObservations if A is not a one-state operator or S is not
// elementwise affine.
func Standardized(op observe.Operator, std Standardizer) (StateOperator, error) {
	l, d := op.Shape()
	if l != 1 {
		return nil, obsErr("Standardized needs an operator of one state, got events of %d states", l)
	}
	zero, e := make([]float64, d), make([]float64, d)
	std.Standardize(zero, zero)
	s := &standardized{op: op, std: std, inv: make([]float64, d), pool: make(chan []float64, 64)}
	for i := range d {
		clear(e)
		e[i] = 1
		std.Standardize(e, e)
		for j := range d {
			if j != i && e[j] != zero[j] {
				return nil, obsErr("the standardisation is not elementwise: variable %d changes standardised variable %d", i, j)
			}
		}
		s.inv[i] = e[i] - zero[i]
		if s.inv[i] == 0 || !isFinite(s.inv[i:i+1]) {
			return nil, obsErr("the standardisation's scale of variable %d is degenerate", i)
		}
	}
	return s, nil
}

func (s *standardized) Dim() int     { return len(s.inv) }
func (s *standardized) Outputs() int { return s.op.Outputs() }

func (s *standardized) scratch() []float64 {
	select {
	case b := <-s.pool:
		return b
	default:
		return make([]float64, len(s.inv))
	}
}

func (s *standardized) release(b []float64) {
	select {
	case s.pool <- b:
	default:
	}
}

// Apply writes A(S(x)) into dst.
func (s *standardized) Apply(dst, x []float64) {
	if len(x) != len(s.inv) {
		panic("assim: Standardized operator: len(x) ≠ D")
	}
	z := s.scratch()
	s.std.Standardize(z, x)
	s.op.Apply64(dst, z)
	s.release(z)
}

// VJP adds diag(inv)·J_A(S(x))ᵀ·g into gx.
func (s *standardized) VJP(gx, x, g []float64) {
	if len(x) != len(s.inv) || len(gx) != len(s.inv) {
		panic("assim: Standardized operator: len(x) or len(gx) ≠ D")
	}
	z := s.scratch()
	gz := s.scratch()
	s.std.Standardize(z, x)
	clear(gz)
	s.op.VJP64(gz, z, g)
	for i := range gx {
		gx[i] += gz[i] * s.inv[i]
	}
	s.release(gz)
	s.release(z)
}

// FromDescription builds the Observations of one observation set of the
// observe stage: desc describes a time-local operator (select, saturate
// or norm) on events (L, D) with its outputs time-major, y holds its
// desc.Outputs values in standardised units, noise is σ_y (R = σ_y²·I),
// and std the system's standardisation. Times are sorted if the
// description lists them out of order, with y permuted alike.
func FromDescription(desc observe.Description, y []float64, noise float64, std Standardizer) (*Observations, error) {
	if len(desc.Times) == 0 {
		return nil, obsErr("the description observes no states")
	}
	one := desc
	one.Length, one.Times, one.Outputs = 1, []int{0}, 0
	op, err := observe.Build(one)
	if err != nil {
		return nil, err
	}
	h, err := Standardized(op, std)
	if err != nil {
		return nil, err
	}
	p := h.Outputs()
	if len(y) != p*len(desc.Times) {
		return nil, obsErr("%d values for %d observed states of %d values each", len(y), len(desc.Times), p)
	}
	if !(noise > 0) {
		return nil, obsErr("noise σ = %v, want > 0", noise)
	}
	order := make([]int, len(desc.Times))
	for j := range order {
		order[j] = j
	}
	sort.SliceStable(order, func(a, b int) bool { return desc.Times[order[a]] < desc.Times[order[b]] })
	o := &Observations{Times: make([]int, len(order)), Y: make([]float64, len(y)), R: make([]float64, p), H: h}
	for j, src := range order {
		o.Times[j] = desc.Times[src]
		copy(o.Y[j*p:(j+1)*p], y[src*p:(src+1)*p])
	}
	for i := range o.R {
		o.R[i] = noise * noise
	}
	return o, o.Validate(desc.Length, desc.Dim)
}
