package kolmogorov

import "math"

// Coarsen writes into dst, (n, h/r, w/r), the averages of the
// non-overlapping r×r blocks of x, (n, h, w): the reference's
// coarsen(x, r) over the last two axes (docs/method.md §1.2). It panics
// unless r ≥ 1 divides h and w and the lengths match.
func Coarsen(dst, x []float64, n, h, w, r int) {
	if r < 1 || h%r != 0 || w%r != 0 || len(x) != n*h*w || len(dst) != n*(h/r)*(w/r) {
		panic("kolmogorov: Coarsen needs r | h, r | w, x (n, h, w) and dst (n, h/r, w/r)")
	}
	hc, wc := h/r, w/r
	inv := 1 / float64(r*r)
	for b := range n {
		xb, db := x[b*h*w:(b+1)*h*w], dst[b*hc*wc:(b+1)*hc*wc]
		for I := range hc {
			drow := db[I*wc : (I+1)*wc]
			clear(drow)
			for di := range r {
				xrow := xb[(I*r+di)*w : (I*r+di+1)*w]
				for J := range wc {
					var s float64
					for _, v := range xrow[J*r : (J+1)*r] {
						s += v
					}
					drow[J] += s
				}
			}
			for J := range drow {
				drow[J] *= inv
			}
		}
	}
}

// Upsample writes into dst, (n, r·h, r·w), the reference's upsampling of
// x, (n, h, w) (docs/method.md §1.2): circular padding by one cell,
// bilinear interpolation by r with half-pixel centres (torch's
// interpolate with align_corners=False), and a crop of r cells per side.
// That is periodic bilinear interpolation from the source coordinate
// s = (t + ½)/r − ½ of output index t along each axis. It panics unless
// r ≥ 1 and the lengths match.
func Upsample(dst, x []float64, n, h, w, r int) {
	if r < 1 || len(x) != n*h*w || len(dst) != n*r*h*r*w {
		panic("kolmogorov: Upsample needs r ≥ 1, x (n, h, w) and dst (n, r·h, r·w)")
	}
	H, W := r*h, r*w
	for b := range n {
		xb, db := x[b*h*w:(b+1)*h*w], dst[b*H*W:(b+1)*H*W]
		for t := range H {
			i0, i1, li := bilinear(t, r, h)
			row0, row1 := xb[i0*w:(i0+1)*w], xb[i1*w:(i1+1)*w]
			drow := db[t*W : (t+1)*W]
			for q := range W {
				j0, j1, lj := bilinear(q, r, w)
				a := (1-lj)*row0[j0] + lj*row0[j1]
				c := (1-lj)*row1[j0] + lj*row1[j1]
				drow[q] = (1-li)*a + li*c
			}
		}
	}
}

// bilinear returns the periodic source indices and weight of output index
// t when upsampling an axis of length n by r: s = (t + ½)/r − ½,
// i0 = ⌊s⌋ mod n, i1 = (i0 + 1) mod n, λ = s − ⌊s⌋.
func bilinear(t, r, n int) (i0, i1 int, lam float64) {
	s := (float64(t)+0.5)/float64(r) - 0.5
	f := math.Floor(s)
	i0 = (int(f)%n + n) % n
	return i0, (i0 + 1) % n, s - f
}

// Vorticity writes into dst, (n, h, w), the reference's vorticity of the
// velocity fields x, (n, 2, h, w), exactly as coded (docs/method.md
// §1.2): circular padding, central differences with unit spacing,
//
//	w[i,j] = (u[i,j+1] − u[i,j−1])/2 − (v[i+1,j] − v[i−1,j])/2,
//
// indices periodic, i along axis −2 (x) and j along axis −1 (y). That is
// ∂u/∂y − ∂v/∂x in grid-index units: minus the usual ω_z, times the
// grid spacing. It panics if the lengths do not match.
func Vorticity(dst, x []float64, n, h, w int) {
	if len(x) != 2*n*h*w || len(dst) != n*h*w {
		panic("kolmogorov: Vorticity needs x (n, 2, h, w) and dst (n, h, w)")
	}
	for b := range n {
		u, v := x[2*b*h*w:(2*b+1)*h*w], x[(2*b+1)*h*w:(2*b+2)*h*w]
		d := dst[b*h*w : (b+1)*h*w]
		for i := range h {
			ip, im := (i+1)%h, (i+h-1)%h
			ur := u[i*w : (i+1)*w]
			vp, vm := v[ip*w:(ip+1)*w], v[im*w:(im+1)*w]
			dr := d[i*w : (i+1)*w]
			for j := range w {
				jp, jm := j+1, j-1
				if jp == w {
					jp = 0
				}
				if jm < 0 {
					jm = w - 1
				}
				dr[j] = 0.5*(ur[jp]-ur[jm]) - 0.5*(vp[j]-vm[j])
			}
		}
	}
}
