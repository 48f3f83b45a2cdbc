package gemm

import (
	"math"
	"math/rand/v2"
)

// operands holds a random product's inputs as stored, with strides.
type operands struct {
	transA, transB bool
	m, n, k        int
	a, b, c        []float32
	lda, ldb, ldc  int
}

// newOperands draws A, B and C uniformly from [-1, 1), stored with strides
// pad elements longer than their rows; the padding holds NaN, so a kernel
// that reads it poisons C and fails the comparison.
func newOperands(rng *rand.Rand, transA, transB bool, m, n, k, pad int) *operands {
	o := &operands{transA: transA, transB: transB, m: m, n: n, k: k}
	ra, ca := m, k
	if transA {
		ra, ca = k, m
	}
	rb, cb := k, n
	if transB {
		rb, cb = n, k
	}
	o.a, o.lda = randMatrix(rng, ra, ca, pad)
	o.b, o.ldb = randMatrix(rng, rb, cb, pad)
	o.c, o.ldc = randMatrix(rng, m, n, pad)
	return o
}

func randMatrix(rng *rand.Rand, rows, cols, pad int) ([]float32, int) {
	ld := max(1, cols+pad)
	x := make([]float32, rows*ld)
	for i := range x {
		if i%ld < cols {
			x[i] = float32(2*rng.Float64() - 1)
		} else {
			x[i] = float32(math.NaN())
		}
	}
	return x, ld
}

// at returns op(A)(i,p) and op(B)(p,j).
func (o *operands) aAt(i, p int) float64 {
	if o.transA {
		return float64(o.a[p*o.lda+i])
	}
	return float64(o.a[i*o.lda+p])
}

func (o *operands) bAt(p, j int) float64 {
	if o.transB {
		return float64(o.b[j*o.ldb+p])
	}
	return float64(o.b[p*o.ldb+j])
}

// reference holds, per element of C, the exact-enough float64 product
// sum Σ_p A(i,p)B(p,j) and its absolute sum Σ_p |A(i,p)B(p,j)|.
type reference struct {
	sum, abs []float64
}

// naive is the test oracle: a triple loop in float64. Products of float32
// values are exact in float64 and the float64 sum of k ≤ 2^16 of them is
// within k·2^-53 of exact, far below the float32 tolerance.
func (o *operands) naive() reference {
	at := make([]float64, o.m*o.k) // op(A), row-major m×k
	bt := make([]float64, o.n*o.k) // op(B)ᵀ, row-major n×k
	for i := 0; i < o.m; i++ {
		for p := 0; p < o.k; p++ {
			at[i*o.k+p] = o.aAt(i, p)
		}
	}
	for j := 0; j < o.n; j++ {
		for p := 0; p < o.k; p++ {
			bt[j*o.k+p] = o.bAt(p, j)
		}
	}
	r := reference{sum: make([]float64, o.m*o.n), abs: make([]float64, o.m*o.n)}
	for i := 0; i < o.m; i++ {
		ai := at[i*o.k : (i+1)*o.k]
		for j := 0; j < o.n; j++ {
			bj := bt[j*o.k : (j+1)*o.k]
			var s, sa float64
			for p, x := range ai {
				t := x * bj[p]
				s += t
				sa += math.Abs(t)
			}
			r.sum[i*o.n+j] = s
			r.abs[i*o.n+j] = sa
		}
	}
	return r
}

// tolerance is the worst-case error bound of a float32 Sgemm element
//
//	|C − Ĉ| ≤ γ_r (|α| Σ_p |A(i,p)B(p,j)| + |β| |C₀(i,j)|),  γ_r = r·u/(1 − r·u),
//
// with u = 2⁻²⁴ and r = k + nb + 3 roundings: one per term of the
// recursive sum (Higham, Accuracy and Stability of Numerical Algorithms,
// 2nd ed., eq. 3.5), one per k block added into C, and the alpha scaling,
// the product and beta term of the epilogue (non-fused in pure Go). It is
// a bound, not an estimate, so it never fails a correct kernel, while a
// wrong or missing term shows up orders of magnitude above it.
func tolerance(k, nb int, absSum float64, alpha, beta, c0 float32) float64 {
	const u = 0x1p-24
	r := float64(k+nb+3) * u
	gamma := r / (1 - r)
	return gamma*(math.Abs(float64(alpha))*absSum+math.Abs(float64(beta)*float64(c0))) + 0x1p-126
}
