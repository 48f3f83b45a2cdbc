package fft

import "math"

// A RealPlan computes discrete Fourier transforms of real sequences of
// length N (a power of two ≥ 2) through one complex transform of length
// N/2. The spectrum of a real sequence is Hermitian, so only its N/2+1
// non-negative frequencies are stored. A RealPlan holds scratch space and
// belongs to one goroutine.
type RealPlan struct {
	n    int
	half *Plan
	tw   []complex128 // e^{−2πik/N}, k = 0..N/2
	z    []complex128 // N/2 scratch
}

// NewRealPlan returns a plan for real sequences of length n. It panics
// unless n is a power of two ≥ 2.
func NewRealPlan(n int) *RealPlan {
	if n < 2 || n&(n-1) != 0 {
		panic("fft: real length is not a power of two ≥ 2")
	}
	h := n / 2
	tw := make([]complex128, h+1)
	for k := range tw {
		tw[k] = cis(-2 * math.Pi * float64(k) / float64(n))
	}
	return &RealPlan{n: n, half: NewPlan(h), tw: tw, z: make([]complex128, h)}
}

// Len returns the sequence length N.
func (p *RealPlan) Len() int { return p.n }

// Forward writes the N/2+1 coefficients X[k] = Σ_j x[j] e^{−2πijk/N},
// k = 0..N/2 (unnormalised), of the real sequence x into dst. It panics if
// len(x) != N or len(dst) != N/2+1.
func (p *RealPlan) Forward(dst []complex128, x []float64) {
	h := p.n / 2
	if len(x) != p.n || len(dst) != h+1 {
		panic("fft: RealPlan.Forward needs len(x) = N and len(dst) = N/2+1")
	}
	z := p.z
	for j := range z {
		z[j] = complex(x[2*j], x[2*j+1])
	}
	p.half.Forward(z, 1)
	p.unpack(dst, z)
}

// unpack turns Z, the transform of z[j] = x[2j] + i·x[2j+1], into the
// half spectrum X[k] = E[k] + e^{−2πik/N} O[k] of x, where
// E[k] = (Z[k] + Z̄[h−k])/2 and O[k] = −i(Z[k] − Z̄[h−k])/2 are the
// transforms of the even and odd samples.
func (p *RealPlan) unpack(dst, z []complex128) {
	h := p.n / 2
	dst[0] = complex(real(z[0])+imag(z[0]), 0)
	dst[h] = complex(real(z[0])-imag(z[0]), 0)
	for k := 1; k < h; k++ {
		a, b := z[k], conj(z[h-k])
		e := 0.5 * (a + b)
		d := 0.5 * (a - b)
		o := complex(imag(d), -real(d))
		dst[k] = e + p.tw[k]*o
	}
}

// Inverse writes into dst the real sequence whose half spectrum is c,
// x[j] = (1/N) Σ_k X[k] e^{+2πijk/N} with X[N−k] = X̄[k], so Inverse undoes
// Forward. The imaginary parts of c[0] and c[N/2] are ignored. It panics if
// len(dst) != N or len(c) != N/2+1.
func (p *RealPlan) Inverse(dst []float64, c []complex128) {
	h := p.n / 2
	if len(dst) != p.n || len(c) != h+1 {
		panic("fft: RealPlan.Inverse needs len(dst) = N and len(c) = N/2+1")
	}
	p.inverse(dst, c, 1)
}

// inverse is Inverse with the output further multiplied by f.
func (p *RealPlan) inverse(dst []float64, c []complex128, f float64) {
	z := p.z
	p.pack(z, c)
	p.half.transform(z, 1, true)
	f /= float64(len(z))
	for j, v := range z {
		dst[2*j], dst[2*j+1] = real(v)*f, imag(v)*f
	}
}

// pack is the inverse of unpack: Z[k] = E[k] + i·O[k] with
// E[k] = (X[k] + X̄[h−k])/2 and O[k] = e^{+2πik/N}(X[k] − X̄[h−k])/2.
func (p *RealPlan) pack(z, c []complex128) {
	h := p.n / 2
	x0, xh := real(c[0]), real(c[h])
	z[0] = complex(0.5*(x0+xh), 0.5*(x0-xh))
	for k := 1; k < h; k++ {
		a, b := c[k], conj(c[h-k])
		e := 0.5 * (a + b)
		o := conj(p.tw[k]) * (0.5 * (a - b))
		z[k] = e + complex(-imag(o), real(o))
	}
}
