package assim

import "math"

// Small dense linear algebra on row-major n×n float64 matrices: the P×P
// and D×D systems of the analyses (P observed values, D state variables),
// sequential and allocation-free so that results are reproducible bit for
// bit.

// cholesky overwrites the lower triangle of a (n×n, symmetric) with its
// Cholesky factor L, a = L·Lᵀ, and zeroes the strict upper triangle. It
// reports false if a is not (numerically) positive definite.
func cholesky(a []float64, n int) bool {
	for j := range n {
		s := a[j*n+j]
		for k := range j {
			s -= a[j*n+k] * a[j*n+k]
		}
		if !(s > 0) {
			return false
		}
		d := math.Sqrt(s)
		a[j*n+j] = d
		for i := j + 1; i < n; i++ {
			s := a[i*n+j]
			for k := range j {
				s -= a[i*n+k] * a[j*n+k]
			}
			a[i*n+j] = s / d
		}
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			a[i*n+j] = 0
		}
	}
	return true
}

// solveLower overwrites b with L⁻¹·b for lower-triangular L (n×n).
func solveLower(l []float64, n int, b []float64) {
	for i := range n {
		s := b[i]
		for k := range i {
			s -= l[i*n+k] * b[k]
		}
		b[i] = s / l[i*n+i]
	}
}

// solveUpperT overwrites b with L⁻ᵀ·b for lower-triangular L (n×n).
func solveUpperT(l []float64, n int, b []float64) {
	for i := n - 1; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < n; k++ {
			s -= l[k*n+i] * b[k]
		}
		b[i] = s / l[i*n+i]
	}
}

// cholSolve overwrites b with (L·Lᵀ)⁻¹·b.
func cholSolve(l []float64, n int, b []float64) {
	solveLower(l, n, b)
	solveUpperT(l, n, b)
}

// symEigen computes the eigendecomposition a = V·diag(λ)·Vᵀ of a
// symmetric n×n matrix by the cyclic Jacobi method, writing the
// eigenvectors as the columns of v (n×n) and the eigenvalues into lam. a
// is destroyed. Jacobi is accurate to a few ulps of ‖a‖ for every
// eigenvalue, and for the small matrices here (n = P, the values observed
// at one time) as fast as anything else.
func symEigen(a, v, lam []float64, n int) {
	for i := range n {
		for j := range n {
			v[i*n+j] = 0
		}
		v[i*n+i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		var off, norm float64
		for i := range n {
			for j := range n {
				if i != j {
					off += a[i*n+j] * a[i*n+j]
				}
				norm += a[i*n+j] * a[i*n+j]
			}
		}
		if off <= 1e-30*norm || off == 0 {
			break
		}
		for p := range n {
			for q := p + 1; q < n; q++ {
				jacobiRotate(a, v, n, p, q)
			}
		}
	}
	for i := range n {
		lam[i] = a[i*n+i]
	}
}

// jacobiRotate applies the rotation in the (p, q) plane that zeroes
// a[p][q]: a ← Jᵀ·a·J, v ← v·J.
func jacobiRotate(a, v []float64, n, p, q int) {
	apq := a[p*n+q]
	if apq == 0 {
		return
	}
	theta := (a[q*n+q] - a[p*n+p]) / (2 * apq)
	t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
	c := 1 / math.Sqrt(t*t+1)
	s := t * c
	for k := range n {
		akp, akq := a[k*n+p], a[k*n+q]
		a[k*n+p] = c*akp - s*akq
		a[k*n+q] = s*akp + c*akq
	}
	for k := range n {
		apk, aqk := a[p*n+k], a[q*n+k]
		a[p*n+k] = c*apk - s*aqk
		a[q*n+k] = s*apk + c*aqk
	}
	for k := range n {
		vkp, vkq := v[k*n+p], v[k*n+q]
		v[k*n+p] = c*vkp - s*vkq
		v[k*n+q] = s*vkp + c*vkq
	}
}

// householderQR overwrites a (n×n) with the orthogonal factor Q of its QR
// decomposition a = Q·R, with the signs chosen so that R has a positive
// diagonal (which makes Q Haar-distributed when a has independent
// standard normal entries: Mezzadri 2007). r (n×n) and w (n) are scratch.
func householderQR(a, r, w []float64, n int) {
	copy(r, a[:n*n])
	// a accumulates Q, starting from the identity.
	for i := range n {
		for j := range n {
			a[i*n+j] = 0
		}
		a[i*n+i] = 1
	}
	for k := range n - 1 {
		var norm float64
		for i := k; i < n; i++ {
			norm += r[i*n+k] * r[i*n+k]
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			continue
		}
		alpha := -math.Copysign(norm, r[k*n+k])
		for i := range n {
			w[i] = 0
		}
		for i := k; i < n; i++ {
			w[i] = r[i*n+k]
		}
		w[k] -= alpha
		var wn float64
		for i := k; i < n; i++ {
			wn += w[i] * w[i]
		}
		if wn == 0 {
			continue
		}
		// r ← (I − 2wwᵀ/wᵀw)·r and Q ← Q·(I − 2wwᵀ/wᵀw).
		for j := range n {
			var s float64
			for i := k; i < n; i++ {
				s += w[i] * r[i*n+j]
			}
			s *= 2 / wn
			for i := k; i < n; i++ {
				r[i*n+j] -= s * w[i]
			}
		}
		for i := range n {
			var s float64
			for j := k; j < n; j++ {
				s += a[i*n+j] * w[j]
			}
			s *= 2 / wn
			for j := k; j < n; j++ {
				a[i*n+j] -= s * w[j]
			}
		}
	}
	for j := range n {
		if r[j*n+j] < 0 {
			for i := range n {
				a[i*n+j] = -a[i*n+j]
			}
		}
	}
}

// isFinite reports whether every value of x is finite.
func isFinite(x []float64) bool {
	for _, v := range x {
		if v-v != 0 {
			return false
		}
	}
	return true
}
