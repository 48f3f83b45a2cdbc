package diffusion

import "fmt"

// Composite assembles the noise prediction of whole trajectories from a
// local network on windows of 2k+1 states (SDA Algorithm 2, "MCScoreNet";
// docs/method.md §2.8). For events x of shape (L, D) it
//
//  1. unfolds the L−2k windows x[i : i+2k+1] of every event into one batch
//     of n·(L−2k) rows of F = (2k+1)·D features, state-major;
//  2. evaluates Local once on that batch, at the shared t;
//  3. folds: states 0..k−1 come from window 0 (positions 0..k−1), state j
//     for k ≤ j < L−k from window j−k at its centre k, and the last k states
//     from the last window (positions k+1..2k).
//
// Its VJP scatters the folded cotangent to the window outputs it came from
// (zero elsewhere), runs one Local.EpsVJP, and overlap-adds the window input
// gradients back into (L, D). Because σ is shared, composing ε is the same
// as composing scores.
//
// Build it with NewComposite. Scratch space for n events is allocated on the
// first call with that many events and reused; a Composite is not safe for
// concurrent use.
type Composite struct {
	Local   DifferentiableDenoiser // window network: rows of F = (2k+1)·D features
	K, L, D int                    // half-window k ≥ 0, trajectory length L ≥ 2k+1, state size D ≥ 1

	win, out []float32 // (n·W, F) unfolded inputs and local outputs
	gwin     []float32 // (n·W, F) gradient w.r.t. the window inputs
	wfold    []float32 // (n, L, D) cotangent of the folded output

	// State of the EpsVJP in flight, read by foldCot; reset on return.
	eps []float32
	cot func(eps, w []float32)
	n   int

	foldCotFn func(eps, w []float32) // c.foldCot, bound once so EpsVJP does not allocate
}

// NewComposite returns the composite denoiser of local for trajectories of
// l states of d variables with half-window k. It returns an error wrapping
// ErrInvalid when local is nil, k < 0, d < 1 or l < 2k+1.
func NewComposite(local DifferentiableDenoiser, k, l, d int) (*Composite, error) {
	if err := validComposite(local, k, l, d); err != nil {
		return nil, err
	}
	c := &Composite{Local: local, K: k, L: l, D: d}
	c.foldCotFn = c.foldCot
	return c, nil
}

func validComposite(local DifferentiableDenoiser, k, l, d int) error {
	switch {
	case local == nil:
		return invalid("composite has no local denoiser")
	case k < 0 || d < 1:
		return invalid("composite needs k ≥ 0 and D ≥ 1, got k = %d, D = %d", k, d)
	case l < 2*k+1:
		return invalid("composite needs trajectories of at least 2k+1 = %d states, got L = %d", 2*k+1, l)
	}
	return nil
}

// EventSize returns L·D, the length of one event.
func (c *Composite) EventSize() int { return c.L * c.D }

// Windows returns L − 2k, the number of windows per event.
func (c *Composite) Windows() int { return c.L - 2*c.K }

// Features returns F = (2k+1)·D, the length of one window.
func (c *Composite) Features() int { return (2*c.K + 1) * c.D }

// Eps writes the composite ε of the n events of x into dst (both (n, L, D)).
// It panics on length mismatches.
func (c *Composite) Eps(dst, x []float32, n int, t float32) {
	rows := c.prepare("Eps", x, n, dst)
	c.Local.Eps(c.out[:len(c.win)], c.win, rows, t)
	c.fold(dst, c.out, n)
}

// EpsVJP implements DifferentiableDenoiser with one Local.EpsVJP call.
func (c *Composite) EpsVJP(eps, grad, x []float32, n int, t float32, cot func(eps, w []float32)) {
	rows := c.prepare("EpsVJP", x, n, eps)
	c.mustLen("EpsVJP", "grad", len(grad), n*c.EventSize())
	if c.foldCotFn == nil {
		c.foldCotFn = c.foldCot
	}
	c.eps, c.cot, c.n = eps, cot, n
	c.Local.EpsVJP(c.out, c.gwin, c.win, rows, t, c.foldCotFn)
	c.eps, c.cot = nil, nil
	c.overlapAdd(grad, c.gwin, n)
}

// foldCot is the cotangent callback handed to Local: it folds the window
// outputs into the caller's eps, asks the caller's cot for the trajectory
// cotangent and scatters it back to the window outputs.
func (c *Composite) foldCot(out, w []float32) {
	c.fold(c.eps, out, c.n)
	c.cot(c.eps, c.wfold)
	c.scatter(w, c.wfold, c.n)
}

// prepare checks lengths, sizes the workspace for n events, unfolds x into
// c.win and returns the number of window rows.
func (c *Composite) prepare(op string, x []float32, n int, dst []float32) int {
	if err := validComposite(c.Local, c.K, c.L, c.D); err != nil {
		panic("diffusion: Composite." + op + ": " + err.Error())
	}
	e := c.EventSize()
	c.mustLen(op, "x", len(x), n*e)
	c.mustLen(op, "dst", len(dst), n*e)
	rows, f := n*c.Windows(), c.Features()
	if cap(c.win) < rows*f {
		c.win, c.out = make([]float32, rows*f), make([]float32, rows*f)
		c.gwin = make([]float32, rows*f)
	}
	if cap(c.wfold) < n*e {
		c.wfold = make([]float32, n*e)
	}
	c.win, c.out, c.gwin = c.win[:rows*f], c.out[:rows*f], c.gwin[:rows*f]
	c.wfold = c.wfold[:n*e]
	c.unfold(c.win, x, n)
	return rows
}

func (c *Composite) mustLen(op, name string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("diffusion: Composite.%s: len(%s) = %d, want n·L·D = %d", op, name, got, want))
	}
}

// unfold copies the windows of x, each a contiguous run of F values, into win.
func (c *Composite) unfold(win, x []float32, n int) {
	e, f, nw, d := c.EventSize(), c.Features(), c.Windows(), c.D
	for b := range n {
		for i := range nw {
			r := b*nw + i
			copy(win[r*f:(r+1)*f], x[b*e+i*d:b*e+i*d+f])
		}
	}
}

// fold writes the trajectory values of the window rows out into dst.
func (c *Composite) fold(dst, out []float32, n int) {
	e, f, nw, d, k := c.EventSize(), c.Features(), c.Windows(), c.D, c.K
	for b := range n {
		ev, rows := dst[b*e:(b+1)*e], out[b*nw*f:(b+1)*nw*f]
		copy(ev[:k*d], rows[:k*d])
		for i := range nw {
			copy(ev[(k+i)*d:(k+i+1)*d], rows[i*f+k*d:i*f+(k+1)*d])
		}
		copy(ev[(c.L-k)*d:], rows[(nw-1)*f+(k+1)*d:nw*f])
	}
}

// scatter is fold's adjoint: it writes each trajectory value of wfold back
// to the window position it was folded from and zeroes the rest of w.
func (c *Composite) scatter(w, wfold []float32, n int) {
	clear(w)
	e, f, nw, d, k := c.EventSize(), c.Features(), c.Windows(), c.D, c.K
	for b := range n {
		ev, rows := wfold[b*e:(b+1)*e], w[b*nw*f:(b+1)*nw*f]
		copy(rows[:k*d], ev[:k*d])
		for i := range nw {
			copy(rows[i*f+k*d:i*f+(k+1)*d], ev[(k+i)*d:(k+i+1)*d])
		}
		copy(rows[(nw-1)*f+(k+1)*d:nw*f], ev[(c.L-k)*d:])
	}
}

// overlapAdd is unfold's adjoint: grad = Σ over windows of each window's
// input gradient added at its position in the trajectory.
func (c *Composite) overlapAdd(grad, gwin []float32, n int) {
	clear(grad)
	e, f, nw, d := c.EventSize(), c.Features(), c.Windows(), c.D
	for b := range n {
		for i := range nw {
			r := b*nw + i
			g, src := grad[b*e+i*d:b*e+i*d+f], gwin[r*f:(r+1)*f]
			for j, v := range src {
				g[j] += v
			}
		}
	}
}
