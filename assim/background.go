package assim

import (
	"fmt"
	"math"
	"slices"
)

// A Background is the Gaussian prior N(x_b, B) that 4D-Var puts on the
// window's first state, contributing
//
//	J_b(x_0) = ½·(x_0 − x_b)ᵀ·B⁻¹·(x_0 − x_b)
//
// to the cost. A climatological background takes x_b and B from
// Climatology; the multi-modal demo of docs/method.md §4.3 uses
// ‖x_0 − x_b‖², which is IsotropicBackground(x_b, ½).
type Background struct {
	mean []float64 // x_b, (D)
	prec []float64 // B⁻¹, (D, D)
}

// NewBackground returns N(mean, cov) for a symmetric positive definite
// cov, (D, D) row-major with D = len(mean); both are copied. It panics if
// len(cov) ≠ D², and returns an error wrapping ErrSingular if cov is not
// symmetric (to a relative 1e-10, rounding's allowance) or not positive
// definite.
func NewBackground(mean, cov []float64) (*Background, error) {
	d := len(mean)
	if d < 1 || len(cov) != d*d {
		panic("assim: NewBackground needs a mean of length D and a D×D covariance")
	}
	for i := range d {
		for j := range i {
			a, b := cov[i*d+j], cov[j*d+i]
			if math.Abs(a-b) > 1e-10*math.Sqrt(math.Abs(cov[i*d+i]*cov[j*d+j])) || a != a || b != b {
				return nil, fmt.Errorf("%w: background covariance is not symmetric", ErrSingular)
			}
		}
	}
	l := slices.Clone(cov)
	for i := range d {
		for j := range i {
			l[i*d+j] = 0.5 * (cov[i*d+j] + cov[j*d+i])
		}
	}
	if !cholesky(l, d) {
		return nil, fmt.Errorf("%w: background covariance", ErrSingular)
	}
	// B⁻¹ column by column: (L·Lᵀ)⁻¹·e_j.
	prec, col := make([]float64, d*d), make([]float64, d)
	for j := range d {
		clear(col)
		col[j] = 1
		cholSolve(l, d, col)
		for i := range d {
			prec[i*d+j] = col[i]
		}
	}
	// Symmetrise the rounding.
	for i := range d {
		for j := range i {
			s := 0.5 * (prec[i*d+j] + prec[j*d+i])
			prec[i*d+j], prec[j*d+i] = s, s
		}
	}
	return &Background{mean: slices.Clone(mean), prec: prec}, nil
}

// IsotropicBackground returns N(mean, variance·I). It panics unless
// variance is finite and > 0.
func IsotropicBackground(mean []float64, variance float64) *Background {
	if !(variance > 0) || math.IsInf(variance, 0) {
		panic("assim: IsotropicBackground needs a finite variance > 0")
	}
	d := len(mean)
	prec := make([]float64, d*d)
	for i := range d {
		prec[i*d+i] = 1 / variance
	}
	return &Background{mean: slices.Clone(mean), prec: prec}
}

// Dim returns D.
func (b *Background) Dim() int { return len(b.mean) }

// Mean returns x_b; the slice is the Background's own.
func (b *Background) Mean() []float64 { return b.mean }

// cost returns J_b(x) and adds ∇J_b = B⁻¹·(x − x_b) into grad; tmp (D) is
// scratch.
func (b *Background) cost(grad, x, tmp []float64) float64 {
	d := len(b.mean)
	for i := range d {
		tmp[i] = x[i] - b.mean[i]
	}
	var j float64
	for i := range d {
		var s float64
		for k := range d {
			s += b.prec[i*d+k] * tmp[k]
		}
		grad[i] += s
		j += tmp[i] * s
	}
	return 0.5 * j
}
