package fft

import (
	"math"
)

// A Plan computes discrete Fourier transforms of length N along the first
// axis of (N, batch) row-major complex arrays: batch = 1 is an ordinary 1-D
// transform, batch = M transforms the M columns of an N×M array at once,
// which keeps every inner loop contiguous. A Plan holds scratch space and
// belongs to one goroutine.
type Plan struct {
	n      int
	stages []stage
	tmp    []complex128 // n*batch scratch, grown on demand
}

// A stage is one Stockham pass of radix 4 or 2 over a sub-length l: it
// reads l-point groups at stride s and writes them at stride s·radix.
type stage struct {
	radix int
	l, s  int          // sub-transform length and stride (in rows)
	tw    []complex128 // forward twiddles w^{k·p}, k = 1..radix−1, p < l/radix, interleaved by p
}

// NewPlan returns a plan for transforms of length n. It panics unless n is
// a power of two.
func NewPlan(n int) *Plan {
	if n < 1 || n&(n-1) != 0 {
		panic("fft: length is not a power of two")
	}
	p := &Plan{n: n}
	// Radix-4 passes, then one radix-2 pass when log₂ n is odd: the last
	// pass has the longest contiguous runs, which suits the radix-2 pass
	// with its lower arithmetic per load.
	l, s := n, 1
	for l >= 4 {
		p.stages = append(p.stages, newStage(4, l, s))
		l, s = l/4, s*4
	}
	if l == 2 {
		p.stages = append(p.stages, newStage(2, l, s))
	}
	return p
}

func newStage(radix, l, s int) stage {
	m := l / radix
	tw := make([]complex128, 0, m*(radix-1))
	for q := range m {
		for k := 1; k < radix; k++ {
			tw = append(tw, cis(-2*math.Pi*float64(k*q)/float64(l)))
		}
	}
	return stage{radix: radix, l: l, s: s, tw: tw}
}

// cis returns e^{iθ}, exact at multiples of π/4 so that twiddles of
// power-of-two lengths are symmetric to the last bit.
func cis(theta float64) complex128 {
	s, c := math.Sincos(theta)
	return complex(c, s)
}

// Len returns the transform length N.
func (p *Plan) Len() int { return p.n }

// Forward replaces x, an (N, batch) array, by its discrete Fourier
// transform along the first axis, X[k] = Σ_j x[j] e^{−2πijk/N}
// (unnormalised). It panics if len(x) != N·batch.
func (p *Plan) Forward(x []complex128, batch int) { p.transform(x, batch, false) }

// Inverse replaces x by its inverse transform along the first axis,
// x[j] = (1/N) Σ_k X[k] e^{+2πijk/N}, so Inverse undoes Forward.
func (p *Plan) Inverse(x []complex128, batch int) {
	p.transform(x, batch, true)
	scale(x, 1/float64(p.n))
}

func (p *Plan) transform(x []complex128, batch int, inv bool) {
	if batch < 1 || len(x) != p.n*batch {
		panic("fft: Plan needs an (N, batch) array")
	}
	if cap(p.tmp) < len(x) {
		p.tmp = make([]complex128, len(x))
	}
	tmp := p.tmp[:len(x)]
	// Ping-pong between x and tmp; with an odd number of passes, start by
	// copying into tmp so that the last pass writes x.
	a, b := x, tmp
	if len(p.stages)%2 == 1 {
		copy(tmp, x)
		a, b = tmp, x
	}
	for _, st := range p.stages {
		if st.radix == 4 {
			pass4(b, a, st, batch, inv)
		} else {
			pass2(b, a, st, batch, inv)
		}
		a, b = b, a
	}
}

func scale(x []complex128, f float64) {
	for i, v := range x {
		x[i] = complex(real(v)*f, imag(v)*f)
	}
}

// pass4 is one radix-4 Stockham pass: for p < m = l/4 and the s·batch
// values of each group,
//
//	y[4p+k] = w^{kp} Σ_j x[p+jm] (∓i)^{jk},  k = 0..3,
//
// where w = e^{∓2πi/l} (− forward, + inverse) and rows are scaled by s.
func pass4(y, x []complex128, st stage, batch int, inv bool) {
	m := st.l / 4
	w := st.s * batch // contiguous values per row group
	if w == 1 {
		pass4unit(y, x, st, inv)
		return
	}
	for p := range m {
		xa := x[(p)*w : (p+1)*w]
		xb := x[(p+m)*w : (p+m+1)*w]
		xc := x[(p+2*m)*w : (p+2*m+1)*w]
		xd := x[(p+3*m)*w : (p+3*m+1)*w]
		ya := y[(4*p)*w : (4*p+1)*w]
		yb := y[(4*p+1)*w : (4*p+2)*w]
		yc := y[(4*p+2)*w : (4*p+3)*w]
		yd := y[(4*p+3)*w : (4*p+4)*w]
		if p == 0 {
			bfly4(ya, yb, yc, yd, xa, xb, xc, xd, inv)
			continue
		}
		w1, w2, w3 := st.tw[3*p], st.tw[3*p+1], st.tw[3*p+2]
		if inv {
			w1, w2, w3 = conj(w1), conj(w2), conj(w3)
		}
		bfly4tw(ya, yb, yc, yd, xa, xb, xc, xd, w1, w2, w3, inv)
	}
}

// pass4unit is pass4 for unit runs (the first pass of a single
// transform), indexing directly instead of slicing per group.
func pass4unit(y, x []complex128, st stage, inv bool) {
	m := st.l / 4
	x, y = x[:4*m], y[:4*m]
	tw := st.tw[:3*m]
	for p := range m {
		a, b, c, d := x[p], x[p+m], x[p+2*m], x[p+3*m]
		w1, w2, w3 := tw[3*p], tw[3*p+1], tw[3*p+2]
		if inv {
			w1, w2, w3 = conj(w1), conj(w2), conj(w3)
		}
		apc, amc := a+c, a-c
		bpd, bmd := b+d, b-d
		jb := mulI(bmd, inv)
		y4 := y[4*p : 4*p+4]
		y4[0] = apc + bpd
		y4[1] = w1 * (amc + jb)
		y4[2] = w2 * (apc - bpd)
		y4[3] = w3 * (amc - jb)
	}
}

// bfly4Go is the twiddle-free radix-4 butterfly over whole row groups.
func bfly4Go(ya, yb, yc, yd, xa, xb, xc, xd []complex128, inv bool) {
	_, _, _, _ = xb[len(xa)-1], xc[len(xa)-1], xd[len(xa)-1], ya[len(xa)-1]
	_, _, _ = yb[len(xa)-1], yc[len(xa)-1], yd[len(xa)-1]
	for t, a := range xa {
		b, c, d := xb[t], xc[t], xd[t]
		apc, amc := a+c, a-c
		bpd, bmd := b+d, b-d
		jb := mulI(bmd, inv) // ∓i(b−d)
		ya[t] = apc + bpd
		yb[t] = amc + jb
		yc[t] = apc - bpd
		yd[t] = amc - jb
	}
}

// bfly4twGo is the radix-4 butterfly with output twiddles w1, w2, w3.
func bfly4twGo(ya, yb, yc, yd, xa, xb, xc, xd []complex128, w1, w2, w3 complex128, inv bool) {
	_, _, _, _ = xb[len(xa)-1], xc[len(xa)-1], xd[len(xa)-1], ya[len(xa)-1]
	_, _, _ = yb[len(xa)-1], yc[len(xa)-1], yd[len(xa)-1]
	for t, a := range xa {
		b, c, d := xb[t], xc[t], xd[t]
		apc, amc := a+c, a-c
		bpd, bmd := b+d, b-d
		jb := mulI(bmd, inv)
		ya[t] = apc + bpd
		yb[t] = w1 * (amc + jb)
		yc[t] = w2 * (apc - bpd)
		yd[t] = w3 * (amc - jb)
	}
}

// mulI returns −i·z for the forward transform and +i·z for the inverse.
func mulI(z complex128, inv bool) complex128 {
	if inv {
		return complex(-imag(z), real(z))
	}
	return complex(imag(z), -real(z))
}

func conj(z complex128) complex128 { return complex(real(z), -imag(z)) }

// pass2 is one radix-2 Stockham pass: y[2p] = x[p] + x[p+m],
// y[2p+1] = w^p (x[p] − x[p+m]), m = l/2.
func pass2(y, x []complex128, st stage, batch int, inv bool) {
	m := st.l / 2
	w := st.s * batch
	for p := range m {
		xa := x[p*w : (p+1)*w]
		xb := x[(p+m)*w : (p+m+1)*w]
		ya := y[(2*p)*w : (2*p+1)*w]
		yb := y[(2*p+1)*w : (2*p+2)*w]
		tw := st.tw[p]
		if inv {
			tw = conj(tw)
		}
		bfly2(ya, yb, xa, xb, tw)
	}
}

// bfly2Go is the radix-2 butterfly ya = a + b, yb = w·(a − b).
func bfly2Go(ya, yb, xa, xb []complex128, w complex128) {
	_, _, _ = xb[len(xa)-1], ya[len(xa)-1], yb[len(xa)-1]
	for t, a := range xa {
		b := xb[t]
		ya[t] = a + b
		yb[t] = w * (a - b)
	}
}
