package dynamics

// RK4 holds scratch space for classical fourth-order Runge–Kutta steps of
// an ODE of dimension n. It is the generic integrator for systems without
// a specialised Stepper; Lorenz63's Stepper inlines the same scheme.
type RK4 struct{ k1, k2, k3, k4, tmp []float64 }

// NewRK4 returns scratch space for steps of dimension n.
func NewRK4(n int) *RK4 {
	buf := make([]float64, 5*n)
	return &RK4{k1: buf[:n], k2: buf[n : 2*n], k3: buf[2*n : 3*n], k4: buf[3*n : 4*n], tmp: buf[4*n:]}
}

// Step advances x in place by one RK4 step of size dt under dx/dt = f(x),
// where f(dst, x) writes the vector field at x into dst:
//
//	x ← x + dt/6·(k1 + 2k2 + 2k3 + k4).
//
// It does not allocate, and panics if len(x) is not the RK4's dimension.
func (s *RK4) Step(f func(dst, x []float64), x []float64, dt float64) {
	n := len(s.k1)
	if len(x) != n {
		panic("dynamics: RK4.Step: state length differs from the RK4's dimension")
	}
	k1, k2, k3, k4, tmp := s.k1, s.k2, s.k3, s.k4, s.tmp
	f(k1, x)
	for i := range tmp {
		tmp[i] = x[i] + 0.5*dt*k1[i]
	}
	f(k2, tmp)
	for i := range tmp {
		tmp[i] = x[i] + 0.5*dt*k2[i]
	}
	f(k3, tmp)
	for i := range tmp {
		tmp[i] = x[i] + dt*k3[i]
	}
	f(k4, tmp)
	for i := range x {
		x[i] += dt / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
	}
}
