package kolmogorov

// predict writes the forward-Euler predictor of x into s.star:
//
//	x* = x + dt·(−∇·(c u) + ν∇²c + f − α c)   for each component c,
//
// with jax-cfd's advect_van_leer_using_limiters fluxes (docs/method.md
// §1.2). The flux of a component c across a face is a·c_f, where a is the
// face-normal velocity averaged onto the face and c_f the van Leer-limited
// Lax–Wendroff value of c there. Fluxes are computed one row of faces at a
// time, so the working set is a few rows.
func (s *Solver) predict(x []float64) {
	nn := s.n * s.n
	u, v := x[:nn], x[nn:]
	s.component(s.star[:nn], u, u, v, true)
	s.component(s.star[nn:], v, u, v, false)
}

// component writes the predictor of one component c (u if isU, else v)
// into dst. For u the control volume is centred on (i+1, j+½): its
// x-faces carry (u[i]+u[i+1])/2 and its y-faces (v[i,j]+v[i+1,j])/2. For v
// it is centred on (i+½, j+1): (u[i,j]+u[i,j+1])/2 and (v[j]+v[j+1])/2.
func (s *Solver) component(dst, c, u, v []float64, isU bool) {
	n := s.n
	cp, ay, fy := s.rows[0], s.rows[2][:n], s.rows[3][:n+1]
	force := s.zeros
	if isU {
		force = s.force
	}
	s.fluxX(s.fprev, c, u, n-1, isU)
	dt, alpha, lam, nu2 := s.dt, s.cfg.Drag, s.lam, s.nu2
	for i := range n {
		s.fluxX(s.fx, c, u, i, isU)
		pad(cp, c[i*n:(i+1)*n])
		if isU {
			average(ay, v[i*n:(i+1)*n], v[next(i, n)*n:(next(i, n)+1)*n])
		} else {
			averageNext(ay, v[i*n:(i+1)*n])
		}
		fluxRow(fy[1:], cp[:n], cp[1:n+1], cp[2:n+2], cp[3:n+3], ay, lam)
		fy[0] = fy[n]
		im, ip := prev(i, n), next(i, n)
		cm, cpl, di := c[im*n:(im+1)*n], c[ip*n:(ip+1)*n], dst[i*n:(i+1)*n]
		updateRow(di, cm, cpl, cp, s.fx[:n], s.fprev[:n], fy, force, lam, dt, nu2, alpha)
		s.fprev, s.fx = s.fx, s.fprev
	}
}

// fluxX writes into f the fluxes of c across the x-faces of row i (between
// rows i and i+1).
func (s *Solver) fluxX(f, c, u []float64, i int, isU bool) {
	n := s.n
	ax := s.rows[1][:n]
	i1, i2, im := next(i, n), next(next(i, n), n), prev(i, n)
	if isU {
		average(ax, u[i*n:(i+1)*n], u[i1*n:(i1+1)*n])
	} else {
		averageNext(ax, u[i*n:(i+1)*n])
	}
	fluxRow(f, c[im*n:(im+1)*n], c[i*n:(i+1)*n], c[i1*n:(i1+1)*n], c[i2*n:(i2+1)*n], ax, s.lam)
}

func next(i, n int) int {
	if i == n-1 {
		return 0
	}
	return i + 1
}

func prev(i, n int) int {
	if i == 0 {
		return n - 1
	}
	return i - 1
}

// updateRowGo writes one row of the predictor,
//
//	c* = c − λ·(Fx[j] − Fx'[j] + Fy[j+½] − Fy[j−½]) + dt·(ν/h²·L c + f − α c),
//
// from the rows above (cm) and below (cpl), the padded row cp (cp[j+1] is
// c[j]), this row's and the previous row's x-fluxes fx and fp, the
// y-fluxes fy (fy[j] is the flux across the face before c[j]) and the
// force; L is the 5-point Laplacian with unit spacing.
func updateRowGo(di, cm, cpl, cp, fx, fp, fy, force []float64, lam, dt, nu2, alpha float64) {
	n := len(di)
	_, _, _, _, _, _ = cm[n-1], cpl[n-1], cp[n+2], fx[n-1], fp[n-1], force[n-1]
	_ = fy[n]
	for j := range n {
		cj := cp[j+1]
		lap := cm[j] + cpl[j] + cp[j] + cp[j+2] - 4*cj
		div := fx[j] - fp[j] + fy[j+1] - fy[j]
		di[j] = cj - lam*div + dt*(nu2*lap+force[j]-alpha*cj)
	}
}

// pad writes row c (length N) into p (length N+3) with one periodic
// value before and two after: p[j+1] = c[j mod N] for j = −1..N+1.
func pad(p, c []float64) {
	n := len(c)
	p[0] = c[n-1]
	copy(p[1:n+1], c)
	p[n+1], p[n+2] = c[0], c[1]
}

// average writes dst[j] = (a[j] + b[j])/2.
func average(dst, a, b []float64) {
	_, _ = a[len(dst)-1], b[len(dst)-1]
	for j := range dst {
		dst[j] = 0.5 * (a[j] + b[j])
	}
}

// averageNext writes dst[j] = (a[j] + a[j+1 mod N])/2.
func averageNext(dst, a []float64) {
	n := len(dst)
	_ = a[n-1]
	for j := range n - 1 {
		dst[j] = 0.5 * (a[j] + a[j+1])
	}
	dst[n-1] = 0.5 * (a[n-1] + a[0])
}

// fluxRowGo writes the van Leer flux f[j] = a[j]·c_f across the faces
// between c0[j] and c1[j], given the upwind neighbours cm[j] (behind c0)
// and c2[j] (beyond c1), the face velocities a and λ = dt/h. With
// d = c1 − c0 and the Courant number C = λa,
//
//	a > 0:  c_f = c0 + ½(1 − C)·φ(r)·d,  r = (c0 − cm)/d
//	a ≤ 0:  c_f = c1 − ½(1 + C)·φ(r)·d,  r = (c2 − c1)/d
//
// with the van Leer limiter φ(r) = 2r/(1 + r) for r > 0 and 0 otherwise
// (jax-cfd's apply_tvd_limiter of lax_wendroff), evaluated as
// φ(r)·d = 2·e·d/(e + d) for the upwind difference e, which is r·d.
func fluxRowGo(f, cm, c0, c1, c2, a []float64, lam float64) {
	n := len(f)
	_, _, _, _, _ = cm[n-1], c0[n-1], c1[n-1], c2[n-1], a[n-1]
	for j := range n {
		aj := a[j]
		d := c1[j] - c0[j]
		var cf float64
		if aj > 0 {
			cf = c0[j]
			if e := c0[j] - cm[j]; e*d > 0 {
				cf += (1 - lam*aj) * e * d / (e + d)
			}
		} else {
			cf = c1[j]
			if e := c2[j] - c1[j]; e*d > 0 {
				cf -= (1 + lam*aj) * e * d / (e + d)
			}
		}
		f[j] = aj * cf
	}
}
