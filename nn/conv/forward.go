package conv

import "fmt"

// fwdTaps are the nine taps of the forward pass: tap t = 3·(dy+1) +
// (dx+1) reads input pixel (s·y + dy, s·x + dx) through block t.
var fwdTaps = func() (ts [9]tap) {
	for t := range ts {
		ts[t] = tap{t/3 - 1, t%3 - 1, t}
	}
	return ts
}()

// bwdTaps are the taps of BackwardData at stride 1: the gradient at
// pixel q gathers dy(q − d) through the transposed block of tap d.
var bwdTaps = func() (ts [9]tap) {
	for t := range ts {
		ts[t] = tap{1 - t/3, 1 - t%3, t}
	}
	return ts
}()

// check panics unless the images and slices fit the filter.
func (f *Filter) check2(op string, n, h, w int, lens ...[2]int) {
	if n < 0 || h < 1 || w < 1 || h%f.Stride != 0 || w%f.Stride != 0 {
		panic(fmt.Sprintf("conv: %s: %d images of %d×%d do not fit stride %d", op, n, h, w, f.Stride))
	}
	for _, l := range lens {
		if l[0] != l[1] {
			panic(fmt.Sprintf("conv: %s: a slice has %d values, want %d", op, l[0], l[1]))
		}
	}
}

// Forward computes the convolution of n images x (n, h, w, Cin), NHWC,
// with circular padding of one pixel, plus bias (Cout values, or nil), into
// y (n, h/s, w/s, Cout) for stride s; if acc it adds the result to y
// instead. It needs Pack for h×w images first. y must not overlap x.
//
// Directly, each output value is the sum over taps and input channels, in
// that order, with one fused multiply-add per term (a multiply and an add
// on the pure-Go path), then plus the bias, then added to y when acc. By
// Winograd (see wino.go) the sums are over input channels per transform
// position, then transformed back. Either way the arithmetic of an image
// does not depend on n or on the other images, so results do not depend on
// how a batch is split between calls.
func (f *Filter) Forward(sc *Scratch, y, x, bias []float32, n, h, w int, acc bool) {
	s := f.Stride
	ho, wo := h/s, w/s
	f.check2("Forward", n, h, w, [2]int{len(x), n * h * w * f.Cin}, [2]int{len(y), n * ho * wo * f.Cout})
	if bias != nil && len(bias) != f.Cout {
		panic("conv: Forward: bias is not Cout values")
	}
	f.packed("Forward", f.fwdState, h, w)
	g := gather{
		hi: h, wi: w, k: f.Cin, s: s, taps: fwdTaps[:],
		b: f.fwd, pan: f.fwdP,
		ho: ho, wo: wo, ry: 1, rx: 1, wout: wo, n: f.Cout,
		bias: bias, mode: boolInt(acc),
	}
	for i := range n {
		g.in = x[i*h*w*f.Cin : (i+1)*h*w*f.Cin]
		g.out = y[i*ho*wo*f.Cout : (i+1)*ho*wo*f.Cout]
		if f.fwdState == packedWino {
			f.winograd(sc, g.out, g.in, f.fwdW, f.fwdP, f.Cin, f.Cout, h, w, bias, g.mode)
			continue
		}
		g.run(sc)
	}
}

// BackwardData computes the gradient with respect to the input of
// Forward, for n images of h×w: from dy (n, h/s, w/s, Cout) into dx (n,
// h, w, Cin), or added to dx if acc. It needs PackBackward for h×w
// images first. dx must not overlap dy.
//
// At stride 1 the gradient is the circular convolution of dy with the
// transposed, flipped filter. At stride 2 each input pixel (qy, qx)
// receives only the taps d with q − d even, so the pixels are done in
// four parity classes of one, two, two and four taps: no multiply by an
// inserted zero.
func (f *Filter) BackwardData(sc *Scratch, dx, dy []float32, n, h, w int, acc bool) {
	s := f.Stride
	ho, wo := h/s, w/s
	f.check2("BackwardData", n, h, w, [2]int{len(dx), n * h * w * f.Cin}, [2]int{len(dy), n * ho * wo * f.Cout})
	f.packed("BackwardData", f.bwdState, h, w)
	g := gather{
		hi: ho, wi: wo, k: f.Cout, s: 1,
		b: f.bwd, pan: f.bwdP,
		ho: ho, wo: wo, ry: s, rx: s, wout: w, n: f.Cin,
		mode: boolInt(acc),
	}
	for i := range n {
		g.in = dy[i*ho*wo*f.Cout : (i+1)*ho*wo*f.Cout]
		g.out = dx[i*h*w*f.Cin : (i+1)*h*w*f.Cin]
		if s == 1 {
			if f.bwdState == packedWino {
				f.winograd(sc, g.out, g.in, f.bwdW, f.bwdP, f.Cout, f.Cin, h, w, nil, g.mode)
				continue
			}
			g.taps = bwdTaps[:]
			g.run(sc)
			continue
		}
		for py := range 2 {
			for px := range 2 {
				g.taps, g.py, g.px = parityTaps[py][px], py, px
				g.run(sc)
			}
		}
	}
}

// parityTaps[py][px] are the taps of BackwardData at stride 2 for the
// input pixels q = 2m + p: tap d reaches them when p − d is even, from
// output-gradient pixel m + (p − d)/2.
var parityTaps = func() (pt [2][2][]tap) {
	for py := range 2 {
		for px := range 2 {
			for t := range 9 {
				dy, dx := t/3-1, t%3-1
				if (py-dy)%2 == 0 && (px-dx)%2 == 0 {
					pt[py][px] = append(pt[py][px], tap{(py - dy) / 2, (px - dx) / 2, t})
				}
			}
		}
	}
	return pt
}()

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
