package fft

// A Plan2D computes 2-D discrete Fourier transforms of real N×N arrays
// (N a power of two ≥ 2), row-major with axis 0 first. The spectrum is
// stored as numpy's rfft2 stores it: an (N, N/2+1) row-major complex
// array whose entry [kx, ky] holds the coefficient of frequencies
// (kx, ky), with kx = 0..N−1 along axis 0 (kx ≥ N/2 meaning kx − N) and
// ky = 0..N/2 along axis 1; the other half follows from
// X[−kx, −ky] = X̄[kx, ky]. A Plan2D holds scratch space and belongs to
// one goroutine.
type Plan2D struct {
	n    int
	rows *RealPlan
	cols *Plan
	work []complex128 // N×(N/2+1) scratch for Inverse
}

// NewPlan2D returns a plan for N×N real arrays. It panics unless n is a
// power of two ≥ 2.
func NewPlan2D(n int) *Plan2D {
	return &Plan2D{
		n:    n,
		rows: NewRealPlan(n),
		cols: NewPlan(n),
		work: make([]complex128, n*(n/2+1)),
	}
}

// Len returns the side N.
func (p *Plan2D) Len() int { return p.n }

// SpectrumLen returns N·(N/2+1), the length of a spectrum.
func (p *Plan2D) SpectrumLen() int { return p.n * (p.n/2 + 1) }

// Forward writes into dst the unnormalised transform
// X[kx, ky] = Σ_{x,y} a[x, y] e^{−2πi(kx·x + ky·y)/N} of the real array a.
// It panics if len(a) != N² or len(dst) != N(N/2+1).
func (p *Plan2D) Forward(dst []complex128, a []float64) {
	n, m := p.n, p.n/2+1
	if len(a) != n*n || len(dst) != n*m {
		panic("fft: Plan2D.Forward needs an N×N input and an N×(N/2+1) spectrum")
	}
	for r := range n {
		p.rows.Forward(dst[r*m:(r+1)*m], a[r*n:(r+1)*n])
	}
	p.cols.transform(dst, m, false)
}

// Inverse writes into dst the real array whose spectrum is c, normalised
// by 1/N² so that Inverse undoes Forward. c is not modified. The parts of
// c that a real array cannot have (the anti-Hermitian parts of the ky = 0
// and ky = N/2 columns) are dropped. It panics if len(dst) != N² or
// len(c) != N(N/2+1).
func (p *Plan2D) Inverse(dst []float64, c []complex128) {
	n, m := p.n, p.n/2+1
	if len(dst) != n*n || len(c) != n*m {
		panic("fft: Plan2D.Inverse needs an N×(N/2+1) spectrum and an N×N output")
	}
	w := p.work
	copy(w, c)
	p.cols.transform(w, m, true) // unnormalised: the rows apply 1/N²
	f := 1 / float64(n)
	for r := range n {
		p.rows.inverse(dst[r*n:(r+1)*n], w[r*m:(r+1)*m], f)
	}
}

// Freq returns the signed frequency of index i along an axis of length
// n: i for i < n/2 and i − n for i ≥ n/2, as numpy's fftfreq(n)·n.
func Freq(i, n int) int {
	if 2*i >= n {
		return i - n
	}
	return i
}
