package assim

import (
	"math"
	"math/rand/v2"
)

// inflate multiplies the anomalies of a block by factor:
// x_n ← x̄ + factor·(x_n − x̄), member n's block at
// buf[n·stride+off : n·stride+off+len(mean)]; mean is scratch. The mean is
// unchanged and the covariance grows by factor².
func inflate(buf []float64, n, stride, off int, factor float64, mean []float64) {
	if factor == 1 {
		return
	}
	blockMean(mean, buf, n, stride, off)
	for i := range n {
		row := buf[i*stride+off : i*stride+off+len(mean)]
		for k, v := range row {
			row[k] = mean[k] + factor*(v-mean[k])
		}
	}
}

// A rotation draws and applies random N×N orthogonal matrices Ω with
// Ω·1 = 1: Ω = V·diag(1, Q)·Vᵀ, where V is an orthonormal basis whose
// first vector is 1/√N (the Helmert basis) and Q is Haar-distributed on
// the orthogonal group of size N − 1. Applied to an ensemble, E ← Ω·E
// keeps the mean (Ω·1 = 1 and 1ᵀ·Ω = 1ᵀ) and the sample covariance
// (AᵀΩᵀΩA = AᵀA) and mixes the members, the "mean-preserving random
// rotation" of square-root filters (Sakov & Oke 2008; DAPPER's rot).
type rotation struct {
	n       int
	omega   []float64 // (N, N)
	basis   []float64 // (N, N) Helmert basis, column k = v_k
	q, r, w []float64 // (N−1, N−1), (N−1, N−1), (N−1) scratch for Q
	vq      []float64 // (N, N−1) scratch: V'·Q
	tmp     []float64 // (N, maxWidth) scratch block
}

func newRotation(n, maxWidth int) *rotation {
	m := n - 1
	r := &rotation{
		n: n, omega: make([]float64, n*n), basis: make([]float64, n*n),
		q: make([]float64, m*m), r: make([]float64, m*m), w: make([]float64, m),
		vq: make([]float64, n*m), tmp: make([]float64, n*maxWidth),
	}
	// Helmert basis: v_0 = 1/√N; v_k (k ≥ 1) has 1/√(k(k+1)) in its first
	// k entries and −k/√(k(k+1)) in entry k.
	for i := range n {
		r.basis[i*n] = 1 / math.Sqrt(float64(n))
	}
	for k := 1; k < n; k++ {
		c := 1 / math.Sqrt(float64(k*(k+1)))
		for i := range k {
			r.basis[i*n+k] = c
		}
		r.basis[k*n+k] = -float64(k) * c
	}
	return r
}

// draw makes a new Ω from (N−1)² standard normal values of rng, row by row.
func (r *rotation) draw(rng *rand.Rand) {
	n, m := r.n, r.n-1
	for i := range r.q {
		r.q[i] = rng.NormFloat64()
	}
	householderQR(r.q, r.r, r.w, m)
	// vq = V'·Q, V' the basis without its first column.
	for i := range n {
		for j := range m {
			var s float64
			for k := range m {
				s += r.basis[i*n+1+k] * r.q[k*m+j]
			}
			r.vq[i*m+j] = s
		}
	}
	// Ω = v0·v0ᵀ + (V'·Q)·V'ᵀ.
	for i := range n {
		for j := range n {
			s := 1 / float64(n)
			for k := range m {
				s += r.vq[i*m+k] * r.basis[j*n+1+k]
			}
			r.omega[i*n+j] = s
		}
	}
}

// apply replaces the members' blocks by Ω·E, member n's block at
// buf[n·stride+off : n·stride+off+width].
func (r *rotation) apply(buf []float64, stride, off, width int) {
	n := r.n
	tmp := r.tmp[:n*width]
	for i := range n {
		copy(tmp[i*width:(i+1)*width], buf[i*stride+off:i*stride+off+width])
	}
	for i := range n {
		row := buf[i*stride+off : i*stride+off+width]
		clear(row)
		for j := range n {
			o := r.omega[i*n+j]
			src := tmp[j*width : (j+1)*width]
			for k, v := range src {
				row[k] += o * v
			}
		}
	}
}
