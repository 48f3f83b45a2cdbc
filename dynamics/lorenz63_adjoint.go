package dynamics

// A TangentStepper evaluates the deterministic map M of a System together
// with its derivatives: the tangent linear map δx ↦ J_M(x)·δx and its
// adjoint λ ↦ J_M(x)ᵀ·λ, where J_M(x) is the D×D Jacobian of M at x. The
// variational methods (4D-Var) need both. Like a Stepper it belongs to one
// goroutine and does not allocate.
type TangentStepper interface {
	Stepper

	// Tangent writes J_M(x)·dx into dst. All have length D; dst must not
	// overlap x or dx.
	Tangent(dst, x, dx []float64)

	// Adjoint writes J_M(x)ᵀ·lam into dst. All have length D; dst must
	// not overlap x or lam.
	Adjoint(dst, x, lam []float64)
}

// NewTangentStepper returns a TangentStepper for the RK4 map of l. Its
// Tangent and Adjoint are the exact derivatives of the discrete map (the
// RK4 step as computed, not of the ODE's flow), so a gradient assembled from
// Adjoint matches finite differences of Map to rounding.
func (l *Lorenz63) NewTangentStepper() TangentStepper {
	return &lorenz63Tangent{lorenz63Stepper{sigma: l.Sigma, rho: l.Rho, beta: l.Beta, dt: l.Dt}}
}

type lorenz63Tangent struct{ lorenz63Stepper }

// stages returns the RK4 stage points x1 = x, x2 = x + Δ/2·k1,
// x3 = x + Δ/2·k2 and x4 = x + Δ·k3 of the step from x.
func (s *lorenz63Tangent) stages(x []float64) (p [4][3]float64) {
	h := s.dt
	p[0] = [3]float64{x[0], x[1], x[2]}
	for i, c := range [3]float64{h / 2, h / 2, h} {
		k := s.deriv(p[i])
		p[i+1] = [3]float64{x[0] + c*k[0], x[1] + c*k[1], x[2] + c*k[2]}
	}
	return p
}

func (s *lorenz63Tangent) deriv(x [3]float64) [3]float64 {
	a, b, c := x[0], x[1], x[2]
	return [3]float64{s.sigma * (b - a), a*(s.rho-c) - b, a*b - s.beta*c}
}

// jvp returns J_f(x)·v for the Lorenz vector field f:
//
//	J_f = [[−σ, σ, 0], [ρ − c, −1, −a], [b, a, −β]].
func (s *lorenz63Tangent) jvp(x, v [3]float64) [3]float64 {
	a, b, c := x[0], x[1], x[2]
	return [3]float64{
		s.sigma * (v[1] - v[0]),
		(s.rho-c)*v[0] - v[1] - a*v[2],
		b*v[0] + a*v[1] - s.beta*v[2],
	}
}

// vjp returns J_f(x)ᵀ·v.
func (s *lorenz63Tangent) vjp(x, v [3]float64) [3]float64 {
	a, b, c := x[0], x[1], x[2]
	return [3]float64{
		-s.sigma*v[0] + (s.rho-c)*v[1] + b*v[2],
		s.sigma*v[0] - v[1] + a*v[2],
		-a*v[1] - s.beta*v[2],
	}
}

// Tangent differentiates the RK4 step stage by stage:
//
//	δk1 = J_f(x1)·δx,  δk2 = J_f(x2)·(δx + Δ/2·δk1),
//	δk3 = J_f(x3)·(δx + Δ/2·δk2),  δk4 = J_f(x4)·(δx + Δ·δk3),
//	δM = δx + Δ/6·(δk1 + 2δk2 + 2δk3 + δk4).
func (s *lorenz63Tangent) Tangent(dst, x, dx []float64) {
	if len(dst) != 3 || len(x) != 3 || len(dx) != 3 {
		panic("dynamics: Lorenz63 TangentStepper.Tangent needs length-3 slices")
	}
	h := s.dt
	p := s.stages(x)
	d := [3]float64{dx[0], dx[1], dx[2]}
	var k [4][3]float64
	k[0] = s.jvp(p[0], d)
	for i, c := range [3]float64{h / 2, h / 2, h} {
		k[i+1] = s.jvp(p[i+1], [3]float64{d[0] + c*k[i][0], d[1] + c*k[i][1], d[2] + c*k[i][2]})
	}
	for j := range 3 {
		dst[j] = d[j] + h/6*(k[0][j]+2*k[1][j]+2*k[2][j]+k[3][j])
	}
}

// Adjoint runs the tangent's operations backwards (reverse-mode
// differentiation of the step): with k̄1 = k̄4 = Δ/6·λ and k̄2 = k̄3 = Δ/3·λ,
//
//	u4 = J_f(x4)ᵀ·k̄4,  k̄3 += Δ·u4,
//	u3 = J_f(x3)ᵀ·k̄3,  k̄2 += Δ/2·u3,
//	u2 = J_f(x2)ᵀ·k̄2,  k̄1 += Δ/2·u2,
//	u1 = J_f(x1)ᵀ·k̄1,
//	J_Mᵀ·λ = λ + u1 + u2 + u3 + u4.
func (s *lorenz63Tangent) Adjoint(dst, x, lam []float64) {
	if len(dst) != 3 || len(x) != 3 || len(lam) != 3 {
		panic("dynamics: Lorenz63 TangentStepper.Adjoint needs length-3 slices")
	}
	h := s.dt
	p := s.stages(x)
	l := [3]float64{lam[0], lam[1], lam[2]}
	kbar := [4][3]float64{}
	for j := range 3 {
		kbar[0][j], kbar[1][j], kbar[2][j], kbar[3][j] = h/6*l[j], h/3*l[j], h/3*l[j], h/6*l[j]
	}
	out := l
	for i := 3; i >= 0; i-- {
		u := s.vjp(p[i], kbar[i])
		for j := range 3 {
			out[j] += u[j]
		}
		if i > 0 {
			c := [4]float64{0, h / 2, h / 2, h}[i]
			for j := range 3 {
				kbar[i-1][j] += c * u[j]
			}
		}
	}
	dst[0], dst[1], dst[2] = out[0], out[1], out[2]
}
