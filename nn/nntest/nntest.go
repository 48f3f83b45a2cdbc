// Package nntest holds what the tests of nn and of the model packages
// share: float64 mirrors of the network ops, written directly from their
// definitions (the oracles for the float32 kernels, themselves checked
// against central differences), comparison tolerances, random inputs, and
// a reader of the PyTorch fixtures (.npz of float32 arrays) that needs
// nothing from the artifact store.
package nntest

import (
	"math"
	"math/rand/v2"
)

// Tolerances. FD: central differences in float64 with h = 1e-6 have
// truncation error O(h²·f‴) ≈ 1e-12 and rounding error ≈ 1e-16/h = 1e-10,
// so 1e-6 relative (1e-8 absolute near zero) has margin. float32 against
// float64: each output sums at most ~100 products of O(1) values, each
// rounded at 6e-8 relative: 2e-5 relative, 2e-5 absolute for sums that
// cancel.
const (
	FDRel, FDAbs   = 1e-6, 1e-8
	F32Rel, F32Abs = 2e-5, 2e-5
)

// Near reports whether a and b agree within abs or rel·max(|a|, |b|).
func Near(a, b, abs, rel float64) bool {
	if a == b {
		return true
	}
	d := math.Abs(a - b)
	return d <= abs || d <= rel*math.Max(math.Abs(a), math.Abs(b))
}

// RandVec returns n standard normal draws as float32.
func RandVec(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

// Float64 mirrors of the ops, written directly from their definitions.
// They are the oracles twice over: their VJPs are checked against central
// differences, and the float32 ops are checked against them.

// Linear64 returns x·Wᵀ + b for x (rows, in), W (out, in), b (out).
func Linear64(x, w, b []float64, rows, in, out int) []float64 {
	y := make([]float64, rows*out)
	for r := range rows {
		for o := range out {
			s := b[o]
			for i := range in {
				s += x[r*in+i] * w[o*in+i]
			}
			y[r*out+o] = s
		}
	}
	return y
}

// Linear64VJP returns dx, dW, db for cotangent g (rows, out).
func Linear64VJP(x, w, g []float64, rows, in, out int) (dx, dw, db []float64) {
	dx, dw, db = make([]float64, rows*in), make([]float64, out*in), make([]float64, out)
	for r := range rows {
		for o := range out {
			gv := g[r*out+o]
			db[o] += gv
			for i := range in {
				dx[r*in+i] += gv * w[o*in+i]
				dw[o*in+i] += gv * x[r*in+i]
			}
		}
	}
	return dx, dw, db
}

// SiLU64 returns z·sigmoid(z).
func SiLU64(z float64) float64 { return z / (1 + math.Exp(-z)) }

// DSiLU64 returns the derivative of SiLU64 at z.
func DSiLU64(z float64) float64 {
	s := 1 / (1 + math.Exp(-z))
	return s * (1 + z*(1-s))
}

// Map returns f applied to each element of v.
func Map(v []float64, f func(float64) float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = f(x)
	}
	return out
}

// Mul64 returns a ⊙ b.
func Mul64(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] * b[i]
	}
	return out
}

// Add64 returns a + b.
func Add64(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] + b[i]
	}
	return out
}

// LN64 is the non-affine unbiased layer norm over rows of cols.
func LN64(x []float64, rows, cols int) []float64 {
	y := make([]float64, len(x))
	for r := range rows {
		row := x[r*cols : (r+1)*cols]
		var m, v float64
		for _, a := range row {
			m += a
		}
		m /= float64(cols)
		for _, a := range row {
			v += (a - m) * (a - m)
		}
		v /= float64(cols - 1)
		for j, a := range row {
			y[r*cols+j] = (a - m) / math.Sqrt(v+1e-5)
		}
	}
	return y
}

// LN64VJP differentiates LN64 through its full Jacobian, built from
// dŷ_i/dx_j = r(δ_ij − 1/N) − r·ŷ_i·ŷ_j/(N − 1): an independent form of the
// closed expression the float32 kernel uses.
func LN64VJP(x, g []float64, rows, cols int) []float64 {
	y := LN64(x, rows, cols)
	dx := make([]float64, len(x))
	for r := range rows {
		row := x[r*cols : (r+1)*cols]
		var m, v float64
		for _, a := range row {
			m += a
		}
		m /= float64(cols)
		for _, a := range row {
			v += (a - m) * (a - m)
		}
		v /= float64(cols - 1)
		rs := 1 / math.Sqrt(v+1e-5)
		for j := range cols {
			var s float64
			for i := range cols {
				jac := -rs * y[r*cols+i] * y[r*cols+j] / float64(cols-1)
				jac -= rs / float64(cols)
				if i == j {
					jac += rs
				}
				s += g[r*cols+i] * jac
			}
			dx[r*cols+j] = s
		}
	}
	return dx
}

// TimeFeat64 returns the 2·nf time features of each t: cosines, then sines.
func TimeFeat64(t []float64, nf int) []float64 {
	y := make([]float64, len(t)*2*nf)
	for r, tv := range t {
		for j := 1; j <= nf; j++ {
			y[r*2*nf+j-1] = math.Cos(math.Pi * float64(j) * tv)
			y[r*2*nf+nf+j-1] = math.Sin(math.Pi * float64(j) * tv)
		}
	}
	return y
}

// Concat64 joins rows of a (rows, ca) and b (rows, cb) into (rows, ca+cb).
func Concat64(a, b []float64, rows, ca, cb int) []float64 {
	y := make([]float64, 0, rows*(ca+cb))
	for r := range rows {
		y = append(y, a[r*ca:(r+1)*ca]...)
		y = append(y, b[r*cb:(r+1)*cb]...)
	}
	return y
}

// To32 rounds v to float32.
func To32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// To64 widens v to float64.
func To64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
