package optim

import (
	"errors"
	"fmt"
	"math"
)

// ErrNonFinite reports an objective that is NaN or infinite, or has a
// non-finite gradient, at the starting point.
var ErrNonFinite = errors.New("optim: non-finite objective at the starting point")

// A Func returns f(x) and writes the gradient ∇f(x) into grad (same length
// as x). It must not retain either slice.
type Func func(grad, x []float64) float64

// Settings control an L-BFGS run. The zero value of a field selects its
// default.
type Settings struct {
	History  int     // m, correction pairs kept; default 10
	MaxIter  int     // iterations; default 1000
	MaxEvals int     // evaluations of f in total; default 20·MaxIter
	GradTol  float64 // stop when ‖∇f‖∞ ≤ GradTol; default 1e-8
	// FuncTol stops when an iteration lowers f by at most
	// FuncTol·max(1, |f|); default 0 (off).
	FuncTol float64
	C1, C2  float64 // strong Wolfe constants; defaults 1e-4 and 0.9
}

func (s Settings) withDefaults() Settings {
	if s.History <= 0 {
		s.History = 10
	}
	if s.MaxIter <= 0 {
		s.MaxIter = 1000
	}
	if s.MaxEvals <= 0 {
		s.MaxEvals = 20 * s.MaxIter
	}
	if s.GradTol <= 0 {
		s.GradTol = 1e-8
	}
	if s.C1 <= 0 {
		s.C1 = 1e-4
	}
	if s.C2 <= 0 {
		s.C2 = 0.9
	}
	return s
}

// A Status says why Minimize stopped.
type Status int

const (
	GradConverged    Status = iota // ‖∇f‖∞ ≤ GradTol
	FuncConverged                  // the decrease of f fell below FuncTol
	IterationLimit                 // MaxIter iterations done
	EvalLimit                      // MaxEvals evaluations done
	LineSearchFailed               // no step along the search direction lowered f
)

func (s Status) String() string {
	switch s {
	case GradConverged:
		return "gradient converged"
	case FuncConverged:
		return "function converged"
	case IterationLimit:
		return "iteration limit"
	case EvalLimit:
		return "evaluation limit"
	case LineSearchFailed:
		return "line search failed"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Converged reports whether s is GradConverged or FuncConverged.
func (s Status) Converged() bool { return s == GradConverged || s == FuncConverged }

// A Result describes a finished minimisation.
type Result struct {
	F        float64 // f at the returned x
	GradNorm float64 // ‖∇f‖∞ there
	Iter     int     // iterations (accepted steps)
	Evals    int     // evaluations of f
	Status   Status
}

// LBFGS holds the scratch space of L-BFGS for problems of dimension n.
type LBFGS struct {
	n   int
	set Settings

	s, y       []float64 // (m, n) ring buffers of steps x_{k+1} − x_k and gradient changes
	rho, alpha []float64 // (m) 1/(yᵀs) and the two-loop coefficients
	g, d       []float64 // gradient at x, search direction
	xt, gt     []float64 // line-search trial point and gradient
}

// NewLBFGS returns an optimiser for dimension n ≥ 1 with settings s.
func NewLBFGS(n int, s Settings) *LBFGS {
	if n < 1 {
		panic("optim: NewLBFGS needs n ≥ 1")
	}
	s = s.withDefaults()
	m := s.History
	return &LBFGS{
		n: n, set: s,
		s: make([]float64, m*n), y: make([]float64, m*n),
		rho: make([]float64, m), alpha: make([]float64, m),
		g: make([]float64, n), d: make([]float64, n),
		xt: make([]float64, n), gt: make([]float64, n),
	}
}

// Settings returns the settings in use, defaults filled in.
func (o *LBFGS) Settings() Settings { return o.set }

// Minimize runs L-BFGS on f from x and leaves the best point found in x.
// It panics if len(x) differs from the optimiser's dimension, and returns
// ErrNonFinite if f or its gradient is not finite at the start. It does
// not allocate.
func (o *LBFGS) Minimize(f Func, x []float64) (Result, error) {
	if len(x) != o.n {
		panic("optim: LBFGS.Minimize: len(x) differs from the optimiser's dimension")
	}
	st := o.set
	fx := f(o.g, x)
	res := Result{F: fx, GradNorm: normInf(o.g), Evals: 1}
	if math.IsNaN(fx) || math.IsInf(fx, 0) || math.IsNaN(res.GradNorm) || math.IsInf(res.GradNorm, 0) {
		return res, fmt.Errorf("%w: f = %v, ‖∇f‖∞ = %v", ErrNonFinite, fx, res.GradNorm)
	}
	ls := lineSearch{f: f, x: x, d: o.d, xt: o.xt, gt: o.gt, c1: st.C1, c2: st.C2, evals: 1, budget: st.MaxEvals}
	pairs, head := 0, 0 // stored pairs; index of the oldest
	for {
		if res.GradNorm <= st.GradTol {
			res.Status = GradConverged
			return res, nil
		}
		if res.Iter >= st.MaxIter {
			res.Status = IterationLimit
			return res, nil
		}
		if ls.evals >= st.MaxEvals {
			res.Status = EvalLimit
			return res, nil
		}
		o.direction(pairs, head)
		d0 := dot(o.g, o.d)
		if !(d0 < 0) {
			// Not a descent direction (rounding in the history): restart
			// from steepest descent.
			pairs = 0
			o.direction(0, 0)
			d0 = dot(o.g, o.d)
		}
		a0 := 1.0
		if pairs == 0 {
			a0 = 1 / math.Max(normInf(o.g), 1e-300) // a first step of length ~1 in the largest coordinate
		}
		p, ok := ls.search(fx, d0, a0)
		res.Evals = ls.evals
		if !ok {
			res.Status = LineSearchFailed
			if ls.evals >= st.MaxEvals {
				res.Status = EvalLimit
			}
			return res, nil
		}
		if ls.last != p.a {
			// zoom fell back to an earlier trial: evaluate it again so
			// that the trial buffers hold the accepted point.
			p = ls.eval(p.a)
			res.Evals = ls.evals
		}
		pairs, head = o.remember(x, pairs, head)
		copy(x, ls.xt)
		copy(o.g, ls.gt)
		fPrev := fx
		fx = p.f
		res.Iter++
		res.F, res.GradNorm = fx, normInf(o.g)
		if st.FuncTol > 0 && fPrev-fx <= st.FuncTol*math.Max(1, math.Abs(fx)) {
			res.Status = FuncConverged
			return res, nil
		}
	}
}

// remember stores the pair (s, y) = (x_t − x, g_t − g) of the accepted
// step in the ring buffer, replacing the oldest when it is full, and
// returns the new count and head. A pair without positive curvature sᵀy
// (lost to rounding) is not stored.
func (o *LBFGS) remember(x []float64, pairs, head int) (int, int) {
	var sy float64
	for i, xi := range x {
		sy += (o.xt[i] - xi) * (o.gt[i] - o.g[i])
	}
	if !(sy > 0) {
		return pairs, head
	}
	m, n := o.set.History, o.n
	k := (head + pairs) % m
	if pairs == m {
		head = (head + 1) % m
	} else {
		pairs++
	}
	sk, yk := o.s[k*n:(k+1)*n], o.y[k*n:(k+1)*n]
	for i, xi := range x {
		sk[i] = o.xt[i] - xi
		yk[i] = o.gt[i] - o.g[i]
	}
	o.rho[k] = 1 / sy
	return pairs, head
}

// direction writes the L-BFGS search direction d = −H·g into o.d by the
// two-loop recursion (Nocedal & Wright, Algorithm 7.4) over the stored
// pairs, oldest at head, with the initial scaling H0 = (sᵀy / yᵀy)·I of
// the newest pair.
func (o *LBFGS) direction(pairs, head int) {
	m, n := o.set.History, o.n
	d := o.d
	for i, g := range o.g {
		d[i] = -g
	}
	for j := pairs - 1; j >= 0; j-- {
		k := (head + j) % m
		a := o.rho[k] * dot(o.s[k*n:(k+1)*n], d)
		o.alpha[k] = a
		axpy(-a, o.y[k*n:(k+1)*n], d)
	}
	if pairs > 0 {
		k := (head + pairs - 1) % m
		yk := o.y[k*n : (k+1)*n]
		gamma := 1 / (o.rho[k] * dot(yk, yk))
		for i := range d {
			d[i] *= gamma
		}
	}
	for j := range pairs {
		k := (head + j) % m
		b := o.rho[k] * dot(o.y[k*n:(k+1)*n], d)
		axpy(o.alpha[k]-b, o.s[k*n:(k+1)*n], d)
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// axpy adds a·x to y.
func axpy(a float64, x, y []float64) {
	for i, v := range x {
		y[i] += a * v
	}
}

func normInf(v []float64) float64 {
	var m float64
	for _, x := range v {
		if a := math.Abs(x); a > m || x != x {
			m = a
		}
	}
	return m
}
