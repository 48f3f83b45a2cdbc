package diffusion

import (
	"math"

	"sdapipe/observe"
)

// MMPSGuidance is moment-matching posterior sampling (Rozet et al. 2024,
// "Learning Diffusion Priors from Observations by Expectation
// Maximization"; docs/method.md §4.1). Instead of SDA's constant-γ
// covariance it uses the covariance of x given x(t) from Tweedie's formula,
//
//	x̂ = (x − σ ε(x, t)) / μ,   V[x | x(t)] = (σ²/μ) ∂x̂/∂x(t),
//	p(y | x(t)) ≈ N(y | A(x̂), σ_y² I + A V Aᵀ),
//
// with a non-linear A linearised at x̂. The likelihood score, the
// covariance held constant,
//
//	∇ log p(y | x(t)) = (∂x̂/∂x)ᵀ Aᵀ u,   (σ_y² I + (σ²/μ) A (∂x̂/∂x) Aᵀ) u = y − A(x̂),
//
// needs u from a linear system in observation space, which a Krylov
// solver — GMRES or conjugate gradients — solves with matrix–vector
// products alone. The Jacobian
// ∂x̂/∂x = (I − σ ∂ε/∂x)/μ is the Hessian of a log-density up to terms in
// x, hence symmetric, and is applied through the denoiser's VJP as its
// transpose, as the paper does. ε_post = ε − σ ∇ log p(y | x(t)).
//
// A learned network's Jacobian is neither exactly symmetric nor positive,
// and where σ/μ is large (t near 1) its errors are amplified by σ²/μ, so
// the system matrix can be indefinite. Conjugate gradients then breaks
// down (a step along a direction of non-positive curvature), while GMRES,
// which minimises the residual, stays bounded: GMRES is the default, as in
// the authors' library, and CG is exact only for a symmetric positive
// definite system (a Gaussian prior, tested).
//
// Cost per call: one Inner.Eps and Iterations + 1 Inner.EpsVJP (each a
// forward and a backward pass of the network), against one EpsVJP for
// GaussianGuidance. The solver runs per event in float64 and stops early
// for an event whose residual fell below Tol times its first one; there is
// no γ to tune.
//
// MMPSGuidance implements Denoiser and is not safe for concurrent use.
type MMPSGuidance struct {
	Inner      DifferentiableDenoiser
	Op         observe.Linearizable
	Y          []float32 // (n, M) observations, one per event
	Std        float64   // σ_y > 0
	Sched      Schedule
	Solver     Solver   // GMRES (the zero value) or CG
	Jacobian   Jacobian // how ∂x̂/∂x is applied inside the solver: Transpose (the zero value) or Difference
	Iterations int      // solver iterations, ≥ 1
	Tol        float64  // relative residual that ends the solver early for an event; 0 runs every iteration

	lik                 likelihood
	eps, w, grad, jw    []float32 // (n, E)
	xp, ep, em          []float32 // (n, E) finite-difference points and their ε
	h                   []float64 // (n) finite-difference steps
	wCot                []float32 // the cotangent handed to Inner
	u, r, p, q, b, tmpM []float64 // (n, M)
	rs, rs0             []float64 // (n)
	active              []bool
	gm                  gmres
	dy                  []float32 // (M)
	cotFn               func(eps, w []float32)
}

// A Jacobian says how MMPS applies ∂x̂/∂x(t) to a vector inside its
// solver (the final score always uses the exact transpose, a VJP).
type Jacobian int

// The ways to apply the Jacobian.
const (
	// Transpose applies it as its transpose, through the denoiser's VJP:
	// exact when the Jacobian is symmetric, as the Hessian of a log-density
	// is (the paper's choice). The composite score of a local network is
	// not a gradient field, so its Jacobian is not symmetric.
	Transpose Jacobian = iota
	// Difference applies it by central differences of ε, two forward passes
	// at x ± h·v with h = 1e-2·rms(x)/rms(v) per event: the product itself,
	// to the differences' accuracy (about 1e-4 relative for smooth ε), at
	// the cost of two forward passes instead of a VJP.
	Difference
)

// A Solver is the Krylov method MMPS solves its linear system with.
type Solver int

// The solvers.
const (
	GMRES Solver = iota // minimal residual; robust to an indefinite system
	CG                  // conjugate gradients; needs a symmetric positive definite system
)

// Validate checks the configuration.
func (g *MMPSGuidance) Validate() error {
	if g.Op == nil {
		return invalid("MMPS guidance has no observation operator with Jacobian–vector products")
	}
	if err := validLikelihood(g.Inner, g.Op, g.Y, g.Sched); err != nil {
		return err
	}
	switch {
	case !(g.Std > 0) || math.IsInf(g.Std, 0):
		return invalid("MMPS guidance needs a finite observation noise std > 0, got %g", g.Std)
	case g.Iterations < 1:
		return invalid("MMPS guidance needs at least one solver iteration, got %d", g.Iterations)
	case g.Solver != GMRES && g.Solver != CG:
		return invalid("MMPS guidance has an unknown solver %d", g.Solver)
	case g.Jacobian != Transpose && g.Jacobian != Difference:
		return invalid("MMPS guidance has an unknown Jacobian mode %d", g.Jacobian)
	case !(g.Tol >= 0) || g.Tol >= 1:
		return invalid("MMPS guidance needs 0 ≤ tol < 1, got %g", g.Tol)
	}
	return nil
}

// Eps writes ε_post for the n events of x at time t into dst. It panics if
// the configuration is invalid or lengths do not match n events and Y.
func (g *MMPSGuidance) Eps(dst, x []float32, n int, t float32) {
	if err := g.Validate(); err != nil {
		panic("diffusion: MMPSGuidance.Eps: " + err.Error())
	}
	l := &g.lik
	l.begin("MMPSGuidance", g.Op, g.Y, g.Sched, dst, x, n, t)
	g.grow(len(x), len(g.Y), n)
	if g.cotFn == nil {
		g.cotFn = func(_, w []float32) { copy(w, g.wCot) }
	}
	g.Inner.Eps(dst, x, n, t)
	l.residualGrad(dst, 1) // x̂ and r = y − A(x̂) (and J_Aᵀ r, unused)
	for i, v := range l.res {
		g.b[i] = float64(v)
	}
	if g.Solver == CG {
		g.solveCG(x, n, t)
	} else {
		g.solveGMRES(x, n, t)
	}
	// ∇ = J Aᵀ u with J w = (w − σ (∂ε/∂x)ᵀ w)/μ.
	g.transposeOp(g.w, g.u, n)
	g.applyJT(g.jw, g.w, x, n, t)
	axpy(dst, float32(-l.sigma), g.jw)
}

func (g *MMPSGuidance) grow(e, m, n int) {
	f32 := func(b []float32, k int) []float32 {
		if cap(b) < k {
			return make([]float32, k)
		}
		return b[:k]
	}
	f64 := func(b []float64, k int) []float64 {
		if cap(b) < k {
			return make([]float64, k)
		}
		return b[:k]
	}
	g.eps, g.w, g.grad, g.jw, g.wCot = f32(g.eps, e), f32(g.w, e), f32(g.grad, e), f32(g.jw, e), f32(g.wCot, e)
	if g.Jacobian == Difference {
		g.xp, g.ep, g.em, g.h = f32(g.xp, e), f32(g.ep, e), f32(g.em, e), f64(g.h, n)
	}
	g.u, g.r, g.p, g.q, g.b, g.tmpM = f64(g.u, m), f64(g.r, m), f64(g.p, m), f64(g.q, m), f64(g.b, m), f64(g.tmpM, m)
	g.rs, g.rs0 = f64(g.rs, n), f64(g.rs0, n)
	if cap(g.active) < n {
		g.active = make([]bool, n)
	}
	g.active = g.active[:n]
	g.dy = f32(g.dy, m/n)
}

// transposeOp writes J_A(x̂)ᵀ v into w, per event.
func (g *MMPSGuidance) transposeOp(w []float32, v []float64, n int) {
	l := &g.lik
	e, m := len(w)/n, len(v)/n
	clear(w)
	for k := range n {
		for j := range m {
			g.dy[j] = float32(v[k*m+j])
		}
		g.Op.VJP32(w[k*e:(k+1)*e], l.xhat[k*e:(k+1)*e], g.dy)
	}
}

// applyJ writes ∂x̂/∂x·w into dst, as Jacobian says.
func (g *MMPSGuidance) applyJ(dst, w, x []float32, n int, t float32) {
	if g.Jacobian == Difference {
		g.differenceJ(dst, w, x, n, t)
		return
	}
	g.applyJT(dst, w, x, n, t)
}

// differenceJ writes (w − σ (∂ε/∂x) w)/μ into dst, the product by central
// differences of ε at x ± h·w, h chosen per event.
func (g *MMPSGuidance) differenceJ(dst, w, x []float32, n int, t float32) {
	l := &g.lik
	e := len(x) / n
	for k := range n {
		xs, ws := x[k*e:(k+1)*e], w[k*e:(k+1)*e]
		var xx, ww float64
		for i, v := range xs {
			xx += float64(v) * float64(v)
			ww += float64(ws[i]) * float64(ws[i])
		}
		h := 1e-2
		if ww > 0 {
			h *= math.Sqrt(math.Max(xx, float64(e)) / ww)
		}
		g.h[k] = h
		for i, v := range xs {
			g.xp[k*e+i] = v + float32(h)*ws[i]
		}
	}
	g.Inner.Eps(g.ep, g.xp, n, t)
	for k := range n {
		h := g.h[k]
		for i, v := range x[k*e : (k+1)*e] {
			g.xp[k*e+i] = v - float32(h)*w[k*e+i]
		}
	}
	g.Inner.Eps(g.em, g.xp, n, t)
	s, a := l.sigma, 1/l.mu
	for k := range n {
		c := 1 / (2 * g.h[k])
		for i := k * e; i < (k+1)*e; i++ {
			jw := float64(g.ep[i]-g.em[i]) * c
			dst[i] = float32((float64(w[i]) - s*jw) * a)
		}
	}
}

// applyJT writes (w − σ (∂ε/∂x)ᵀ w)/μ into dst: ∂x̂/∂x applied as its
// transpose, with one Inner.EpsVJP.
func (g *MMPSGuidance) applyJT(dst, w, x []float32, n int, t float32) {
	l := &g.lik
	copy(g.wCot, w)
	g.Inner.EpsVJP(g.eps, g.grad, x, n, t, g.cotFn)
	s, a := float32(l.sigma), float32(1/l.mu)
	for i, v := range w {
		dst[i] = (v - s*g.grad[i]) * a
	}
}

// matVec writes K v = σ_y² v + (σ²/μ) J_A J J_Aᵀ v into out, per event.
func (g *MMPSGuidance) matVec(out, v []float64, x []float32, n int, t float32) {
	l := &g.lik
	e, m := len(x)/n, len(v)/n
	g.transposeOp(g.w, v, n)
	g.applyJ(g.jw, g.w, x, n, t)
	c := l.sigma * l.sigma / l.mu
	for k := range n {
		g.Op.JVP32(g.dy, l.xhat[k*e:(k+1)*e], g.jw[k*e:(k+1)*e])
		for j := range m {
			out[k*m+j] = g.Std*g.Std*v[k*m+j] + c*float64(g.dy[j])
		}
	}
}

// solveCG runs conjugate gradients on K u = b per event, from u = 0.
func (g *MMPSGuidance) solveCG(x []float32, n int, t float32) {
	m := len(g.b) / n
	clear(g.u)
	copy(g.r, g.b)
	copy(g.p, g.b)
	for k := range n {
		g.rs[k] = dot(g.r[k*m:(k+1)*m], g.r[k*m:(k+1)*m])
		g.rs0[k] = g.rs[k]
		g.active[k] = g.rs[k] > 0
	}
	for range g.Iterations {
		if !anyTrue(g.active) {
			return
		}
		g.matVec(g.q, g.p, x, n, t)
		for k := range n {
			if !g.active[k] {
				continue
			}
			lo, hi := k*m, (k+1)*m
			pq := dot(g.p[lo:hi], g.q[lo:hi])
			if !(pq > 0) {
				g.active[k] = false // not positive definite in this direction: keep u
				continue
			}
			alpha := g.rs[k] / pq
			for j := lo; j < hi; j++ {
				g.u[j] += alpha * g.p[j]
				g.r[j] -= alpha * g.q[j]
			}
			rs := dot(g.r[lo:hi], g.r[lo:hi])
			if rs <= g.Tol*g.Tol*g.rs0[k] {
				g.active[k] = false
				continue
			}
			beta := rs / g.rs[k]
			for j := lo; j < hi; j++ {
				g.p[j] = g.r[j] + beta*g.p[j]
			}
			g.rs[k] = rs
		}
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func anyTrue(b []bool) bool {
	for _, v := range b {
		if v {
			return true
		}
	}
	return false
}

// gmres holds the per-event Krylov bases of GMRES.
type gmres struct {
	v     [][]float64 // Iterations+1 basis vectors, each (n, M)
	h     []float64   // (n, k+1, k) Hessenberg matrices
	cs    []float64   // (n, k) Givens rotations
	sn    []float64
	rhs   []float64 // (n, k+1) rotated right-hand sides
	w     []float64 // (n, M)
	z     []float64 // (k) a least-squares solution
	steps []int     // (n) iterations each event took
}

// solveGMRES runs GMRES(k), k = Iterations, on K u = b per event, from
// u = 0: Arnoldi with modified Gram–Schmidt builds an orthonormal basis of
// the Krylov space, and Givens rotations keep the small least-squares
// problem min ‖‖b‖e₁ − H z‖ triangular, so the residual norm is known after
// each iteration (for Tol). An event whose new basis vector vanishes has
// found the exact solution and stops.
func (g *MMPSGuidance) solveGMRES(x []float32, n int, t float32) {
	k, m := g.Iterations, len(g.b)/n
	s := &g.gm
	if len(s.v) != k+1 || len(s.w) != n*m {
		s.v = make([][]float64, k+1)
		for i := range s.v {
			s.v[i] = make([]float64, n*m)
		}
		s.h, s.cs, s.sn = make([]float64, n*(k+1)*k), make([]float64, n*k), make([]float64, n*k)
		s.rhs, s.w = make([]float64, n*(k+1)), make([]float64, n*m)
		s.z, s.steps = make([]float64, k), make([]int, n)
	}
	clear(s.h)
	clear(s.rhs)
	steps := s.steps
	clear(steps)
	for e := range n {
		lo, hi := e*m, (e+1)*m
		beta := math.Sqrt(dot(g.b[lo:hi], g.b[lo:hi]))
		g.rs0[e] = beta
		g.active[e] = beta > 0
		for j := lo; j < hi; j++ {
			if beta > 0 {
				s.v[0][j] = g.b[j] / beta
			} else {
				s.v[0][j] = 0
			}
		}
		s.rhs[e*(k+1)] = beta
	}
	for j := range k {
		if !anyTrue(g.active) {
			break
		}
		g.matVec(s.w, s.v[j], x, n, t)
		for e := range n {
			if !g.active[e] {
				continue
			}
			lo, hi := e*m, (e+1)*m
			h := s.h[e*(k+1)*k:]
			at := func(r, c int) *float64 { return &h[r*k+c] }
			w := s.w[lo:hi]
			for i := 0; i <= j; i++ {
				hij := dot(w, s.v[i][lo:hi])
				*at(i, j) = hij
				for q, vq := range s.v[i][lo:hi] {
					w[q] -= hij * vq
				}
			}
			hn := math.Sqrt(dot(w, w))
			*at(j+1, j) = hn
			for q := range w {
				if hn > 0 {
					s.v[j+1][lo+q] = w[q] / hn
				} else {
					s.v[j+1][lo+q] = 0
				}
			}
			// Apply the earlier rotations to the new column, then make one
			// that zeroes its subdiagonal entry.
			cs, sn, rhs := s.cs[e*k:], s.sn[e*k:], s.rhs[e*(k+1):]
			for i := range j {
				a, b := *at(i, j), *at(i+1, j)
				*at(i, j), *at(i+1, j) = cs[i]*a+sn[i]*b, -sn[i]*a+cs[i]*b
			}
			a, b := *at(j, j), *at(j+1, j)
			r := math.Hypot(a, b)
			if r == 0 {
				g.active[e] = false // K maps the basis to 0: nothing more to gain
				continue
			}
			cs[j], sn[j] = a/r, b/r
			*at(j, j), *at(j+1, j) = r, 0
			rhs[j+1] = -sn[j] * rhs[j]
			rhs[j] = cs[j] * rhs[j]
			steps[e] = j + 1
			if hn == 0 || math.Abs(rhs[j+1]) <= g.Tol*g.rs0[e] {
				g.active[e] = false
			}
		}
	}
	// u = V z with H z = rhs by back substitution, per event.
	clear(g.u)
	z := s.z
	for e := range n {
		kk := steps[e]
		h, rhs := s.h[e*(k+1)*k:], s.rhs[e*(k+1):]
		for i := kk - 1; i >= 0; i-- {
			v := rhs[i]
			for c := i + 1; c < kk; c++ {
				v -= h[i*k+c] * z[c]
			}
			z[i] = v / h[i*k+i]
		}
		lo, hi := e*m, (e+1)*m
		for i := range kk {
			for j := lo; j < hi; j++ {
				g.u[j] += z[i] * s.v[i][j]
			}
		}
	}
}
