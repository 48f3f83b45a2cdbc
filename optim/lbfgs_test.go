package optim

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
)

// rosenbrock is the extended Rosenbrock function
//
//	f(x) = Σ_{i even} 100·(x_{i+1} − x_i²)² + (1 − x_i)²,
//
// minimum 0 at x = (1, …, 1), with a curved narrow valley.
func rosenbrock(grad, x []float64) float64 {
	var f float64
	for i := 0; i+1 < len(x); i += 2 {
		a, b := x[i], x[i+1]
		t1, t2 := b-a*a, 1-a
		f += 100*t1*t1 + t2*t2
		grad[i] = -400*a*t1 - 2*t2
		grad[i+1] = 200 * t1
	}
	return f
}

func TestLBFGSRosenbrock(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2, 10, 100} {
		x := make([]float64, n)
		for i := 0; i < n; i += 2 {
			x[i], x[i+1] = -1.2, 1 // the classical start
		}
		res, err := NewLBFGS(n, Settings{GradTol: 1e-10}).Minimize(rosenbrock, x)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != GradConverged {
			t.Fatalf("n = %d: status %v after %d iterations, %d evaluations", n, res.Status, res.Iter, res.Evals)
		}
		for i, v := range x {
			// ‖∇f‖ ≤ 1e-10 at a minimum whose Hessian has smallest
			// eigenvalue ~0.4 puts x within ~1e-9 of (1, …, 1).
			if math.Abs(v-1) > 1e-8 {
				t.Fatalf("n = %d: x[%d] = %.12g, want 1", n, i, v)
			}
		}
		// This implementation takes 39 iterations (48 evaluations); the
		// bound allows for harmless changes to the line search while
		// catching a broken direction (steepest descent needs thousands).
		if res.Iter > 60 {
			t.Fatalf("n = %d: %d iterations, want ≤ 60", n, res.Iter)
		}
	}
}

// TestLBFGSQuadratic minimises ½xᵀAx − bᵀx for a random SPD A with
// condition number ~100 and compares with the solution of Ax = b (gonum).
func TestLBFGSQuadratic(t *testing.T) {
	t.Parallel()
	const n = 30
	rng := rand.New(rand.NewPCG(1, 2))
	q := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			q.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(q)
	var Q mat.Dense
	qr.QTo(&Q)
	A := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			var s float64
			for k := range n {
				s += Q.At(i, k) * Q.At(j, k) * math.Pow(100, float64(k)/(n-1))
			}
			A.SetSym(i, j, s)
		}
	}
	b := make([]float64, n)
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	f := func(grad, x []float64) float64 {
		var v float64
		for i := range n {
			var ax float64
			for j := range n {
				ax += A.At(i, j) * x[j]
			}
			grad[i] = ax - b[i]
			v += 0.5*x[i]*ax - b[i]*x[i]
		}
		return v
	}
	x := make([]float64, n)
	res, err := NewLBFGS(n, Settings{GradTol: 1e-12}).Minimize(f, x)
	if err != nil || res.Status != GradConverged {
		t.Fatalf("status %v after %d iterations, err %v", res.Status, res.Iter, err)
	}
	var want mat.VecDense
	if err := want.SolveVec(A, mat.NewVecDense(n, b)); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		// ‖∇f‖∞ ≤ 1e-12 with ‖A⁻¹‖ ≤ 1 bounds the error by ~√n·1e-12.
		if !scalar.EqualWithinAbsOrRel(x[i], want.AtVec(i), 1e-10, 1e-10) {
			t.Fatalf("x[%d] = %.15g, want %.15g", i, x[i], want.AtVec(i))
		}
	}
}

// TestLineSearchStrongWolfe checks every accepted step of a run against
// the strong Wolfe conditions, by recording the line search's trials.
func TestLineSearchStrongWolfe(t *testing.T) {
	t.Parallel()
	const n = 6
	x := []float64{-1.2, 1, -1.2, 1, 0.5, 0.5}
	d := make([]float64, n)
	g := make([]float64, n)
	xt, gt := make([]float64, n), make([]float64, n)
	ls := lineSearch{f: rosenbrock, x: x, d: d, xt: xt, gt: gt, c1: 1e-4, c2: 0.9, budget: 1 << 20}
	for it := range 20 {
		f0 := rosenbrock(g, x)
		for i := range d {
			d[i] = -g[i]
		}
		d0 := dot(g, d)
		p, ok := ls.search(f0, d0, 1/normInf(g))
		if !ok {
			t.Fatalf("iteration %d: line search failed", it)
		}
		if ls.last != p.a {
			p = ls.eval(p.a)
		}
		if p.f > f0+1e-4*p.a*d0 {
			t.Fatalf("iteration %d: no sufficient decrease: f(α) = %g, f0 = %g, α = %g", it, p.f, f0, p.a)
		}
		if math.Abs(p.df) > 0.9*math.Abs(d0) {
			t.Fatalf("iteration %d: curvature condition fails: |φ'(α)| = %g, |φ'(0)| = %g", it, math.Abs(p.df), math.Abs(d0))
		}
		copy(x, xt)
	}
}

// TestLBFGSInfiniteRegion: a function that is +Inf beyond x = 2 with its
// minimum at 1.9; the line search must back off the infinite region.
func TestLBFGSInfiniteRegion(t *testing.T) {
	t.Parallel()
	f := func(grad, x []float64) float64 {
		if x[0] >= 2 {
			grad[0] = math.NaN()
			return math.Inf(1)
		}
		r := x[0] - 1.9
		grad[0] = 2 * r
		return r * r
	}
	x := []float64{-50}
	res, err := NewLBFGS(1, Settings{}).Minimize(f, x)
	if err != nil || !res.Status.Converged() || math.Abs(x[0]-1.9) > 1e-8 {
		t.Fatalf("x = %v, status %v, err %v", x, res.Status, err)
	}
}

func TestLBFGSNonFiniteStart(t *testing.T) {
	t.Parallel()
	f := func(grad, x []float64) float64 { grad[0] = 0; return math.NaN() }
	_, err := NewLBFGS(1, Settings{}).Minimize(f, []float64{0})
	if !errors.Is(err, ErrNonFinite) {
		t.Fatalf("err = %v, want ErrNonFinite", err)
	}
}

func TestLBFGSIterationLimit(t *testing.T) {
	t.Parallel()
	x := []float64{-1.2, 1}
	res, err := NewLBFGS(2, Settings{MaxIter: 3}).Minimize(rosenbrock, x)
	if err != nil || res.Status != IterationLimit || res.Iter != 3 {
		t.Fatalf("status %v after %d iterations, err %v; want the iteration limit at 3", res.Status, res.Iter, err)
	}
	var g [2]float64
	if f := rosenbrock(g[:], x); f != res.F || f >= 24.2 { // f(−1.2, 1) = 24.2
		t.Fatalf("Result.F = %v, f(x) = %v; want equal and below the start's 24.2", res.F, f)
	}
}

// TestLBFGSFuncTol stops on a small decrease before the gradient test.
func TestLBFGSFuncTol(t *testing.T) {
	t.Parallel()
	x := []float64{-1.2, 1}
	res, err := NewLBFGS(2, Settings{GradTol: 1e-300, FuncTol: 1e-6}).Minimize(rosenbrock, x)
	if err != nil || res.Status != FuncConverged || res.F > 1e-4 {
		t.Fatalf("status %v, f %v, err %v", res.Status, res.F, err)
	}
}

// TestLBFGSReuseAndDeterminism runs one optimiser twice from the same
// start: the iterates must match bit for bit, and no run allocates.
func TestLBFGSReuseAndDeterminism(t *testing.T) {
	o := NewLBFGS(10, Settings{})
	start := []float64{-1.2, 1, -1.2, 1, -1.2, 1, 0, 0, 2, 2}
	a, b := append([]float64(nil), start...), append([]float64(nil), start...)
	ra, _ := o.Minimize(rosenbrock, a)
	rb, _ := o.Minimize(rosenbrock, b)
	if ra != rb {
		t.Fatalf("results differ: %+v vs %+v", ra, rb)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("x[%d] differs: %v vs %v", i, a[i], b[i])
		}
	}
	x := make([]float64, 10)
	if n := testing.AllocsPerRun(5, func() {
		copy(x, start)
		o.Minimize(rosenbrock, x)
	}); n != 0 {
		t.Fatalf("Minimize allocated %v times per run, want 0", n)
	}
}

func TestInterpolateCubicMinimum(t *testing.T) {
	t.Parallel()
	// φ(α) = (α − 0.3)² on [0, 1]: the cubic through exact values and
	// slopes of a quadratic is the quadratic, minimised at 0.3.
	lo := point{a: 0, f: 0.09, df: -0.6}
	hi := point{a: 1, f: 0.49, df: 1.4}
	if a := interpolate(lo, hi); math.Abs(a-0.3) > 1e-14 {
		t.Fatalf("interpolate = %v, want 0.3", a)
	}
	// An infinite end bisects.
	if a := interpolate(lo, point{a: 1, f: math.Inf(1), df: math.NaN()}); a != 0.5 {
		t.Fatalf("interpolate with an infinite end = %v, want 0.5", a)
	}
}
