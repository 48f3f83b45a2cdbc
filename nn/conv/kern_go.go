package conv

// Tile sizes of the pure-Go kernel.
const (
	goMR = 4
	goNR = 16
)

// goKernel is the pure-Go kernel with the contract of the assembly ones
// (internal/asmgen), on slices: A of segment s, element (r, p), is
// a[ai + s.aoff/4 + r·rs + p·cs], B's (p, j) is b[bi + s.boff/4 + p·bs +
// j], C's (r, j) is c[ci + r·ldc + j]; bias is indexed from 0 by j. Each
// term is a multiply and an add, which the compiler fuses on some
// architectures (arm64) but not on amd64, so results may differ from the
// FMA kernels in the last bits.
func goKernel(rows, cols int, segs []seg, a []float32, ai, rs, cs int, b []float32, bi, bs int, c []float32, ci, ldc int, bias []float32, mode int) {
	var acc [goMR][goNR]float32
	for _, s := range segs {
		ao, bo := ai+s.aoff/4, bi+s.boff/4
		for p := range s.n {
			brow := b[bo+p*bs : bo+p*bs+cols]
			for r := range rows {
				av := a[ao+r*rs+p*cs]
				row := &acc[r]
				for j, bv := range brow {
					row[j] += av * bv
				}
			}
		}
	}
	for r := range rows {
		dst := c[ci+r*ldc : ci+r*ldc+cols]
		for j := range dst {
			v := acc[r][j]
			if bias != nil {
				v += bias[j]
			}
			if mode != 0 {
				v = dst[j] + v
			}
			dst[j] = v
		}
	}
}
