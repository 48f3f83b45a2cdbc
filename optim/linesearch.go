package optim

import "math"

// lineSearch finds a step α along the direction d from x (f(x) = f0,
// ∇f(x)·d = d0 < 0) that satisfies the strong Wolfe conditions
//
//	f(x + αd) ≤ f0 + c1·α·d0,          (sufficient decrease)
//	|∇f(x + αd)·d| ≤ c2·|d0|,           (curvature)
//
// by bracketing and zooming (Nocedal & Wright, Algorithms 3.5 and 3.6)
// with safeguarded cubic interpolation. On return the trial buffers xt
// and gt hold the accepted point and its gradient, and ok reports whether
// a point with sufficient decrease was found. A non-finite f is treated
// as +∞ (a step too long).
type lineSearch struct {
	f      Func
	x, d   []float64 // start and direction
	xt, gt []float64 // trial point and its gradient
	c1, c2 float64
	evals  int     // evaluations so far, shared with the caller's budget
	budget int     // maximum evaluations in total
	last   float64 // the step of the last evaluation, whose point xt holds
}

// point is one evaluated trial: step, value and directional derivative.
type point struct{ a, f, df float64 }

// eval evaluates f at x + α·d into xt, gt.
func (ls *lineSearch) eval(a float64) point {
	for i, xi := range ls.x {
		ls.xt[i] = xi + a*ls.d[i]
	}
	f := ls.f(ls.gt, ls.xt)
	ls.evals++
	ls.last = a
	var df float64
	for i, g := range ls.gt {
		df += g * ls.d[i]
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || math.IsNaN(df) || math.IsInf(df, 0) {
		return point{a: a, f: math.Inf(1), df: math.NaN()}
	}
	return point{a: a, f: f, df: df}
}

// search returns the accepted step's point. If it fails to find a point
// with sufficient decrease it returns ok = false; xt and gt then hold
// whatever was evaluated last.
func (ls *lineSearch) search(f0, d0, a0 float64) (p point, ok bool) {
	start := point{0, f0, d0}
	prev := start
	a := a0
	for i := 0; ; i++ {
		if ls.evals >= ls.budget {
			return prev, false
		}
		cur := ls.eval(a)
		if !ls.sufficient(cur, f0, d0) || (i > 0 && cur.f >= prev.f && !flat(cur, f0)) {
			return ls.zoom(start, prev, cur)
		}
		if math.Abs(cur.df) <= -ls.c2*d0 {
			return cur, true
		}
		if cur.df >= 0 {
			return ls.zoom(start, cur, prev)
		}
		prev = cur
		a *= 4 // expand the bracket
		if i > 50 {
			// f keeps decreasing along d without bound.
			return cur, true
		}
	}
}

// zoom narrows the bracket between lo (the best point so far, with
// sufficient decrease) and hi until a point satisfies both conditions.
func (ls *lineSearch) zoom(start, lo, hi point) (point, bool) {
	f0, d0 := start.f, start.df
	for range 60 {
		if ls.evals >= ls.budget {
			break
		}
		a := interpolate(lo, hi)
		if math.Abs(hi.a-lo.a) <= 1e-16*math.Max(1, math.Abs(lo.a)) {
			break
		}
		cur := ls.eval(a)
		if !ls.sufficient(cur, f0, d0) || (cur.f >= lo.f && !flat(cur, f0)) {
			hi = cur
			continue
		}
		if math.Abs(cur.df) <= -ls.c2*d0 {
			return cur, true
		}
		if cur.df*(hi.a-lo.a) >= 0 {
			hi = lo
		}
		lo = cur
	}
	// No point met the curvature condition; fall back to lo, which has
	// sufficient decrease if it is not the start. The caller re-evaluates.
	return lo, lo.a != 0
}

// sufficient reports whether p lowers f enough: the Armijo condition
// f(α) ≤ f0 + c1·α·d0, or, where f changes by less than its rounding
// (relative 1e-10) near a minimum, the derivative form of the same
// condition for a quadratic, φ'(α) ≤ (1 − 2c1)·|d0| (the approximate
// Wolfe condition of Hager & Zhang 2005). Without the second test a
// strict gradient tolerance stalls on rounding noise in f.
func (ls *lineSearch) sufficient(p point, f0, d0 float64) bool {
	if p.f <= f0+ls.c1*p.a*d0 {
		return true
	}
	return flat(p, f0) && p.df <= (1-2*ls.c1)*-d0
}

// flat reports whether f(α) differs from f0 by no more than rounding noise
// (relative 1e-10): comparisons of values are then meaningless and the
// search goes by slopes.
func flat(p point, f0 float64) bool { return math.Abs(p.f-f0) <= 1e-10*math.Abs(f0) }

// interpolate returns the minimiser of the cubic through lo and hi
// (values and slopes), safeguarded to the middle 80 % of the bracket; it
// bisects when the cubic is undefined (an infinite value, a complex root).
func interpolate(lo, hi point) float64 {
	left, right := math.Min(lo.a, hi.a), math.Max(lo.a, hi.a)
	w := right - left
	mid := 0.5 * (lo.a + hi.a)
	if math.IsInf(hi.f, 0) || math.IsNaN(hi.df) {
		return mid
	}
	// Nocedal & Wright eq. 3.59.
	d1 := lo.df + hi.df - 3*(lo.f-hi.f)/(lo.a-hi.a)
	disc := d1*d1 - lo.df*hi.df
	if disc < 0 {
		return mid
	}
	d2 := math.Copysign(math.Sqrt(disc), hi.a-lo.a)
	a := hi.a - (hi.a-lo.a)*(hi.df+d2-d1)/(hi.df-lo.df+2*d2)
	if math.IsNaN(a) || a < left+0.1*w || a > right-0.1*w {
		return mid
	}
	return a
}
