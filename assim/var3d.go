package assim

import (
	"fmt"
	"slices"
)

// Var3D is the 3D-Var analysis with a static background covariance B:
//
//	x_a = x_b + B·Hᵀ·(H·B·Hᵀ + R)⁻¹·(y − h(x_b)),   H = J_h(x_b),
//
// the minimiser of ½‖x − x_b‖²_{B⁻¹} + ½‖y − h(x)‖²_{R⁻¹} when h is linear
// (then solved in closed form rather than iteratively, as DAPPER's Var3D
// does) and its first Gauss–Newton step when h is not. Cycled with a
// deterministic forecast of the mean, it is the 3D-Var row of the DAPPER
// benchmark. A Var3D belongs to one goroutine.
type Var3D struct {
	b    []float64 // (D, D)
	d, p int
	hj   []float64 // (P, D) Jacobian of h
	bht  []float64 // (D, P) B·Hᵀ
	s    []float64 // (P, P) H·B·Hᵀ + R, then its Cholesky factor
	hx   []float64 // (P) h(x_b), then the innovation, then S⁻¹·innovation
	e    []float64 // (P) unit vector
}

// NewVar3D returns the analysis for background covariance b, (D, D)
// row-major, copied. It panics if len(b) ≠ D², and returns an error
// wrapping ErrSingular if b is not symmetric positive definite.
func NewVar3D(b []float64, d int) (*Var3D, error) {
	if d < 1 || len(b) != d*d {
		panic("assim: NewVar3D needs a D×D covariance")
	}
	chk := slices.Clone(b)
	for i := range d {
		for j := range i {
			if b[i*d+j] != b[j*d+i] {
				return nil, fmt.Errorf("%w: background covariance is not symmetric", ErrSingular)
			}
		}
	}
	if !cholesky(chk, d) {
		return nil, fmt.Errorf("%w: background covariance", ErrSingular)
	}
	return &Var3D{b: slices.Clone(b), d: d}, nil
}

func (v *Var3D) resize(p int) {
	if v.p == p {
		return
	}
	v.p = p
	v.hj, v.bht = make([]float64, p*v.d), make([]float64, v.d*p)
	v.s, v.hx, v.e = make([]float64, p*p), make([]float64, p), make([]float64, p)
}

// Analyse writes the analysis of background xb against y = h(x) + ε,
// ε ~ N(0, diag(r)), into dst (length D; dst may be xb). It panics on
// length mismatches and returns an error wrapping ErrSingular if
// H·B·Hᵀ + R is not positive definite.
func (v *Var3D) Analyse(dst, xb []float64, h StateOperator, y, r []float64) error {
	d, p := v.d, h.Outputs()
	if len(dst) != d || len(xb) != d || h.Dim() != d || len(y) != p || len(r) != p {
		panic("assim: Var3D.Analyse: length mismatch")
	}
	v.resize(p)
	// Row q of H is J_hᵀ·e_q.
	for q := range p {
		clear(v.e)
		v.e[q] = 1
		row := v.hj[q*d : (q+1)*d]
		clear(row)
		h.VJP(row, xb, v.e)
	}
	for i := range d {
		for q := range p {
			var s float64
			for k := range d {
				s += v.b[i*d+k] * v.hj[q*d+k]
			}
			v.bht[i*p+q] = s
		}
	}
	for q := range p {
		for s := range p {
			var t float64
			for k := range d {
				t += v.hj[q*d+k] * v.bht[k*p+s]
			}
			v.s[q*p+s] = t
		}
		v.s[q*p+q] += r[q]
	}
	if !cholesky(v.s, p) {
		return fmt.Errorf("%w: H·B·Hᵀ + R", ErrSingular)
	}
	h.Apply(v.hx, xb)
	for q := range p {
		v.hx[q] = y[q] - v.hx[q]
	}
	cholSolve(v.s, p, v.hx)
	for i := range d {
		var s float64
		for q := range p {
			s += v.bht[i*p+q] * v.hx[q]
		}
		dst[i] = xb[i] + s
	}
	return nil
}
