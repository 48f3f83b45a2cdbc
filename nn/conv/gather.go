package conv

// A tap reads input pixel (s·oy + dy, s·ox + dx) (circularly) through
// block k of the packed weights (rows k·K … k·K+K−1).
type tap struct{ dy, dx, block int }

// A gather is one convolution pass over one image, written as a sum over
// taps: for every output pixel (oy, ox) of an ho×wo grid,
//
//	out(oy·ry + py, ox·rx + px) (+)= Σ_taps B_blockᵀ · in(s·oy + dy, s·ox + dx) (+ bias)
//
// where in is an hi×wi image of k channels read with circular wrap, B the
// packed weights (panels pan over the output channels, n in all) and out
// an image of wout pixels per row and n channels per pixel.
type gather struct {
	in        []float32
	hi, wi, k int
	s         int
	taps      []tap
	b         []float32
	pan       []panel
	out       []float32
	ho, wo    int
	ry, py    int
	rx, px    int
	wout, n   int
	bias      []float32
	mode      int
}

// blockFloats is the most packed weights a pass keeps hot at once: the
// panels are grouped so that a group's packed weights (plus a few rows of
// the padded input) fit in a 1 MiB L2, and every output row runs one
// group at a time.
const blockFloats = 64 << 10

// run computes the pass, padding the image into sc first.
func (g *gather) run(sc *Scratch) {
	wp, k := g.wi+2, g.k
	pad := sc.padded(g.in, g.hi, g.wi, k)
	mr := g.pan[0].fam.mr
	for _, p := range g.pan {
		mr = min(mr, p.fam.mr)
	}
	sc.tiles = tiles(sc.tiles, g.wo, mr)
	sc.segs = growSegs(sc.segs, len(g.taps))
	segs := sc.segs[:len(g.taps)]
	for p0 := 0; p0 < len(g.pan); {
		// A group of panels whose packed weights fit blockFloats.
		p1, fl := p0, 0
		for p1 < len(g.pan) && (p1 == p0 || fl+9*k*g.pan[p1].stride <= blockFloats) {
			fl += 9 * k * g.pan[p1].stride
			p1++
		}
		for oy := range g.ho {
			x0 := 0
			orow := (oy*g.ry + g.py) * g.wout
			for _, mt := range sc.tiles {
				ci := (orow + x0*g.rx + g.px) * g.n
				for q := p0; q < p1; q++ {
					p := &g.pan[q]
					for i, t := range g.taps {
						r := mod(g.s*oy+t.dy, g.hi)
						segs[i] = seg{aoff: 4 * (r*wp + g.s*x0 + t.dx + 1) * k, boff: 4 * t.block * k * p.stride, n: k}
					}
					p.call(mt, segs, pad, 0, g.s*k, 1, g.b, p.col0*9*k, p.stride, g.out, ci+p.col0, g.rx*g.n, g.bias, g.mode)
				}
				x0 += mt
			}
		}
		p0 = p1
	}
}

// mod returns i mod n in [0, n) for i ≥ −n.
func mod(i, n int) int {
	if i < 0 {
		return i + n
	}
	if i >= n {
		return i - n
	}
	return i
}
