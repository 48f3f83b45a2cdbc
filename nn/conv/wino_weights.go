package conv

// The weight gradient by Winograd F(2×2, 3×3). With Y = Aᵀ·M·A per tile
// and M = Σ_ci U_ci ⊙ V_ci, U = G·g·Gᵀ (wino.go), the gradient of a loss
// with respect to M is D = A·dY·Aᵀ, with respect to U_ci it is Σ_tiles D ⊙
// V_ci, and with respect to the filter g it is Gᵀ·(that)·G. So
//
//	dW(co, ci) = Gᵀ·[Σ_tiles D_co ⊙ V_ci]·G
//
// where the sum over tiles, for each of the 16 positions ξ, is a matrix
// product (Cin × tiles)·(tiles × Cout) on the micro-kernels: 16 products
// per tile and channel pair instead of 36.

// minTiles is the fewest tiles winoWeights sums per product.
const minTiles = 64

// winoWeights adds image i's share of the transformed gradient Σ_tiles D
// ⊙ V into sc.wdu, laid out [ξ][ci][co] (overwriting it when first).
func (f *Filter) winoWeights(sc *Scratch, x, dy []float32, h, w int, first bool) {
	cin, cout := f.Cin, f.Cout
	tw, th := w/2, h/2
	// At least 64 tiles a band: the tiles are the products' summed
	// dimension, and shorter sums spend more on loading and storing C.
	band := max(1, bandFloats/(tw*16*(cin+cout+32)), (minTiles+tw-1)/tw)
	pans := f.fwdP
	mr := pans[0].fam.mr
	for _, p := range pans {
		mr = min(mr, p.fam.mr)
	}
	sc.tiles = tiles(sc.tiles, cin, mr)
	sc.segs = growSegs(sc.segs, 1)
	for a0 := 0; a0 < th; a0 += band {
		a1 := min(th, a0+band)
		nt := (a1 - a0) * tw
		vl, ml := layFor(cin), layFor(cout)
		sc.wv = grow(sc.wv, 16*nt*(cin+16))
		sc.wm = grow(sc.wm, 16*nt*(cout+16))
		for a := a0; a < a1; a++ {
			f.winoInRow(sc, x, h, w, cin, a, sc.wv[(a-a0)*tw*vl.ts:], vl)
			f.winoGrad(dy[2*a*w*cout:(2*a+1)*w*cout], dy[(2*a+1)*w*cout:(2*a+2)*w*cout], cout, sc.wm[(a-a0)*tw*ml.ts:], ml, tw)
		}
		mode := 1
		if first && a0 == 0 {
			mode = 0
		}
		for xi := range 16 {
			c0 := 0
			for _, mt := range sc.tiles {
				sc.segs[0] = seg{aoff: 4 * (xi*vl.xs + c0), boff: 4 * xi * ml.xs, n: nt}
				for q := range pans {
					p := &pans[q]
					p.call(mt, sc.segs[:1], sc.wv, 0, 1, vl.ts, sc.wm, p.col0, ml.ts, sc.wdu, (xi*cin+c0)*cout+p.col0, cout, nil, mode)
				}
				c0 += mt
			}
		}
	}
}

// winoGrad transforms the nt tiles of one tile row of the output gradient,
// rows y0 and y1 (pixels of n channels), into d (laid out by l).
func (f *Filter) winoGrad(y0, y1 []float32, n int, d []float32, l wlay, nt int) {
	c := 0
	if ln := f.ar.lanes; ln > 0 && f.ar.winoGrad != nil {
		for ; c+ln <= n; c += ln {
			f.ar.winoGrad(&y0[c], &y1[c], 4*n, &d[c], 4*l.xs, 4*l.ts, nt)
		}
	}
	if c < n {
		winoGradGo(y0, y1, n, d, l, nt, c, n)
	}
}

// winoGradGo is winoGrad for channels [c0, c1) in Go.
func winoGradGo(y0, y1 []float32, n int, d []float32, l wlay, nt, c0, c1 int) {
	for b := range nt {
		db := d[b*l.ts:]
		for c := c0; c < c1; c++ {
			a, e := y0[2*b*n+c], y0[(2*b+1)*n+c]
			g, k := y1[2*b*n+c], y1[(2*b+1)*n+c]
			rows := [4][2]float32{{a, e}, {a + g, e + k}, {a - g, e - k}, {0 - g, 0 - k}}
			for i, r := range rows {
				x, y := r[0], r[1]
				db[(4*i)*l.xs+c] = x
				db[(4*i+1)*l.xs+c] = x + y
				db[(4*i+2)*l.xs+c] = x - y
				db[(4*i+3)*l.xs+c] = 0 - y
			}
		}
	}
}

// addWinoWeights adds Gᵀ·dU·G, dU = sc.wdu ([ξ][ci][co]), into dw (co, ci,
// 3, 3), in float64 per filter:
//
//	Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1]
//
// Input channels go in blocks of 8, output channels one by one inside a
// block: the block's 16·8 rows of dU are read along co, and each output
// channel's 8 filters of dw are 72 consecutive values.
func addWinoWeights(dw, du []float32, cin, cout int) {
	const blk = 8
	per := cin * cout
	for ci0 := 0; ci0 < cin; ci0 += blk {
		ci1 := min(ci0+blk, cin)
		for co := range cout {
			d := dw[(co*cin+ci0)*9 : (co*cin+ci1)*9]
			for ci := ci0; ci < ci1; ci++ {
				var u [16]float64
				for xi := range u {
					u[xi] = float64(du[xi*per+ci*cout+co])
				}
				var t [3][4]float64 // Gᵀ·u
				for j := range 4 {
					t[0][j] = u[j] + (u[4+j]+u[8+j])/2
					t[1][j] = (u[4+j] - u[8+j]) / 2
					t[2][j] = (u[4+j]+u[8+j])/2 + u[12+j]
				}
				f := d[(ci-ci0)*9 : (ci-ci0)*9+9]
				for r := range 3 {
					f[3*r] += float32(t[r][0] + (t[r][1]+t[r][2])/2)
					f[3*r+1] += float32((t[r][1] - t[r][2]) / 2)
					f[3*r+2] += float32((t[r][1]+t[r][2])/2 + t[r][3])
				}
			}
		}
	}
}
