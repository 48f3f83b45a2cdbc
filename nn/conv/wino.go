package conv

// Winograd F(2×2, 3×3) (Lavin & Gray, "Fast Algorithms for Convolutional
// Neural Networks", CVPR 2016) for the stride-1 passes: each 2×2 block of
// output pixels ("tile") is computed from the 4×4 block of input pixels
// around it as
//
//	Y = Aᵀ·[Σ_ci U_ci ⊙ V_ci]·A,  V = Bᵀ·d·B,  U = G·g·Gᵀ
//
// with 16 products per tile and channel pair where the direct method
// takes 36: the 16 element-wise products summed over input channels are
// 16 matrix products (tiles × Cin)·(Cin × Cout), run on the same
// micro-kernels as the direct passes. Tiles are taken a band of tile rows
// at a time, so that the transformed band V, its products M and a
// transformed filter stay in L2.
//
// V is laid out [tile][ξ][Cin] and M [tile][ξ][Cout], ξ = 4i + j the
// position in the 4×4 transform, with 16 floats of padding per tile: a
// tile row of the products is then 16·C + 16 floats long, not a multiple
// of 4 KiB, so the 12 rows a kernel reads do not all fall in one L1 set.

// minWino is the fewest input and output channels for which the
// transforms pay.
const minWino = 16

// bandFloats bounds a band's V and M together (1 MiB).
const bandFloats = 256 << 10

// Transform matrices, as used by winoFilter and the Go transforms:
//
//	Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
//	G  = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
//	Aᵀ = [1 1 1 0; 0 1 −1 −1]

// winoFilter writes U = G·g·Gᵀ of the 3×3 filter g (row-major) into u
// (4×4 row-major), computed in float64 and rounded once.
func winoFilter(u *[16]float32, g *[9]float64) {
	var gg [4][3]float64
	for c := range 3 {
		g0, g1, g2 := g[c], g[3+c], g[6+c]
		gg[0][c], gg[1][c], gg[2][c], gg[3][c] = g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2
	}
	for r := range 4 {
		a, b, c := gg[r][0], gg[r][1], gg[r][2]
		u[4*r], u[4*r+1], u[4*r+2], u[4*r+3] = float32(a), float32((a+b+c)/2), float32((a-b+c)/2), float32(c)
	}
}

// packWino packs the transformed filters of w (Cout, Cin, 3, 3) into dst:
// for each ξ, the (rows × cols) matrix U[ξ] in the panels pan, rows =
// input channels of the pass. flip selects the input-gradient pass: rows
// are then w's output channels, columns its input channels, and each
// filter is rotated by 180°.
func packWino(dst []float32, pan []panel, w []float32, cin, cout int, flip bool) {
	rows := cin
	if flip {
		rows = cout
	}
	per := len(dst) / 16
	var g [9]float64
	var u [16]float32
	for _, p := range pan {
		for j := range p.cols {
			for r := range rows {
				co, ci := p.col0+j, r
				if flip {
					co, ci = r, p.col0+j
				}
				src := w[(co*cin+ci)*9:]
				for t := range 9 {
					if flip {
						g[t] = float64(src[8-t])
					} else {
						g[t] = float64(src[t])
					}
				}
				winoFilter(&u, &g)
				for xi, v := range u {
					dst[xi*per+p.col0*rows+r*p.stride+j] = v
				}
			}
		}
	}
}

// A wlay places a band's 16 transformed matrices: matrix ξ of tile t at
// t·ts + ξ·xs floats.
type wlay struct{ ts, xs int }

// layFor returns the layout of tiles of c channels: [tile][ξ][c], a
// tile's 16 matrices together (as the transforms write them), padded by 16
// floats per tile so that the rows a kernel reads together are not 4 KiB
// apart and do not share one L1 set. The layout [ξ][tile][c], each matrix
// one block, measured the same (medians of 7 interleaved runs at the three
// block shapes, forward and weight gradient, within ±10 %).
func layFor(c int) wlay {
	return wlay{ts: 16*c + 16, xs: c}
}

// winograd runs one stride-1 pass over one image by F(2×2, 3×3): in
// (h, w, k) to out (h, w, n), with the transformed filters u (16 blocks
// packed in pan), plus bias (may be nil), stored (mode 0) or added to out
// (mode 1). h and w must be even.
func (f *Filter) winograd(sc *Scratch, out, in, u []float32, pan []panel, k, n, h, w int, bias []float32, mode int) {
	tw, th := w/2, h/2
	band := max(1, bandFloats/(tw*16*(k+n+32)))
	mr := pan[0].fam.mr
	for _, p := range pan {
		mr = min(mr, p.fam.mr)
	}
	per := len(u) / 16
	for a0 := 0; a0 < th; a0 += band {
		a1 := min(th, a0+band)
		nt := (a1 - a0) * tw
		vl, ml := layFor(k), layFor(n)
		sc.wv = grow(sc.wv, 16*nt*(k+16))
		sc.wm = grow(sc.wm, 16*nt*(n+16))
		for a := a0; a < a1; a++ {
			f.winoInRow(sc, in, h, w, k, a, sc.wv[(a-a0)*tw*vl.ts:], vl)
		}
		sc.tiles = tiles(sc.tiles, nt, mr)
		sc.segs = growSegs(sc.segs, 1)
		for xi := range 16 {
			t0 := 0
			for _, mt := range sc.tiles {
				sc.segs[0] = seg{aoff: 4 * (t0*vl.ts + xi*vl.xs), n: k}
				for q := range pan {
					p := &pan[q]
					p.call(mt, sc.segs[:1], sc.wv, 0, vl.ts, 1, u, xi*per+p.col0*k, p.stride, sc.wm, t0*ml.ts+xi*ml.xs+p.col0, ml.ts, nil, 0)
				}
				t0 += mt
			}
		}
		for a := a0; a < a1; a++ {
			y0 := out[2*a*w*n : (2*a+1)*w*n]
			y1 := out[(2*a+1)*w*n : (2*a+2)*w*n]
			f.winoOut(sc.wm[(a-a0)*tw*ml.ts:], n, ml, y0, y1, bias, mode, tw)
		}
	}
}

// winoInRow transforms tile row a of the image in (h×w pixels of k
// channels) into v (tile b's matrices at v[b·l.ts:], laid out by l). The tiles inside the row read the
// image in place (rows wrap by index); the first and last, which reach
// across the row's ends, read a 4×4-pixel copy made with the wrap, so the
// image is not copied to a padded one.
func (f *Filter) winoInRow(sc *Scratch, in []float32, h, w, k, a int, v []float32, l wlay) {
	tw := w / 2
	var rows [4][]float32
	for i := range rows {
		r := mod(2*a-1+i, h)
		rows[i] = in[r*w*k+k : (r+1)*w*k]
	}
	if tw > 2 {
		f.winoIn(rows, k, v[l.ts:], l, tw-2)
	}
	sc.edge = grow(sc.edge, 16*k)
	edges := [2]int{0, tw - 1}
	for e, b := range edges {
		if e == 1 && b == 0 {
			break // one tile: it is both ends
		}
		for i := range 4 {
			r := mod(2*a-1+i, h)
			for j := range 4 {
				c := mod(2*b-1+j, w)
				copy(sc.edge[(4*i+j)*k:(4*i+j+1)*k], in[(r*w+c)*k:(r*w+c+1)*k])
			}
		}
		var er [4][]float32
		for i := range er {
			er[i] = sc.edge[4*i*k : 4*(i+1)*k]
		}
		f.winoIn(er, k, v[b*l.ts:], l, 1)
	}
}

// winoIn transforms nt tiles: rows are four runs of pixels of k channels,
// tile b reading pixels 2b..2b+3 of each; V[ξ] of tile b goes to v[b·l.ts
// + ξ·l.xs:].
func (f *Filter) winoIn(rows [4][]float32, k int, v []float32, l wlay, nt int) {
	c := 0
	if ln := f.ar.lanes; ln > 0 && f.ar.winoIn != nil {
		for ; c+ln <= k; c += ln {
			f.ar.winoIn(&rows[0][c], &rows[1][c], &rows[2][c], &rows[3][c], 4*k, &v[c], 4*l.xs, 4*l.ts, nt)
		}
	}
	if c < k {
		winoInGo(rows, k, v, l, nt, c, k)
	}
}

// winoOut transforms the nt tiles of one tile row of products m (laid out
// by l) into output rows y0, y1 (pixels 2b, 2b+1 of n channels).
func (f *Filter) winoOut(m []float32, n int, l wlay, y0, y1, bias []float32, mode, nt int) {
	c := 0
	if ln := f.ar.lanes; ln > 0 && f.ar.winoOut != nil {
		for ; c+ln <= n; c += ln {
			var bp *float32
			if bias != nil {
				bp = &bias[c]
			}
			f.ar.winoOut(&m[c], 4*l.xs, 4*l.ts, &y0[c], &y1[c], 4*n, bp, mode, nt)
		}
	}
	if c < n {
		winoOutGo(m, n, l, y0, y1, bias, mode, nt, c, n)
	}
}

// winoInGo is the input transform of channels [c0, c1) in Go.
func winoInGo(rows [4][]float32, k int, v []float32, l wlay, nt, c0, c1 int) {
	for b := range nt {
		vb := v[b*l.ts:]
		for c := c0; c < c1; c++ {
			var d [4][4]float32
			for i := range 4 {
				for j := range 4 {
					d[i][j] = rows[i][(2*b+j)*k+c]
				}
			}
			var u [4][4]float32 // Bᵀ·d
			for j := range 4 {
				u[0][j] = d[0][j] - d[2][j]
				u[1][j] = d[1][j] + d[2][j]
				u[2][j] = d[2][j] - d[1][j]
				u[3][j] = d[1][j] - d[3][j]
			}
			for i := range 4 {
				vb[(4*i)*l.xs+c] = u[i][0] - u[i][2]
				vb[(4*i+1)*l.xs+c] = u[i][1] + u[i][2]
				vb[(4*i+2)*l.xs+c] = u[i][2] - u[i][1]
				vb[(4*i+3)*l.xs+c] = u[i][1] - u[i][3]
			}
		}
	}
}

// winoOutGo is the output transform of channels [c0, c1) in Go, with the
// additions in the order of the assembly.
func winoOutGo(m []float32, n int, l wlay, y0, y1, bias []float32, mode, nt, c0, c1 int) {
	for b := range nt {
		mb := m[b*l.ts:]
		for c := c0; c < c1; c++ {
			var t [2][4]float32
			for j := range 4 {
				m0, m1, m2, m3 := mb[j*l.xs+c], mb[(4+j)*l.xs+c], mb[(8+j)*l.xs+c], mb[(12+j)*l.xs+c]
				t[0][j] = (m1 + m0) + m2
				t[1][j] = (m1 - m2) - m3
			}
			var bv float32
			if bias != nil {
				bv = bias[c]
			}
			for i, y := range [2][]float32{y0, y1} {
				a := ((t[i][1] + t[i][0]) + t[i][2]) + bv
				e := ((t[i][1] - t[i][2]) - t[i][3]) + bv
				p0, p1 := (2*b)*n+c, (2*b+1)*n+c
				if mode != 0 {
					a += y[p0]
					e += y[p1]
				}
				y[p0], y[p1] = a, e
			}
		}
	}
}
