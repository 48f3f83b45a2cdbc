package gemm

// Tile sizes of the pure-Go kernel.
const (
	goMR = 4
	goNR = 8
)

// goKernel is the pure-Go micro-kernel with the same contract as the
// assembly ones (see internal/asmgen), on slices with explicit offsets: A
// element (r,p) is a[ai+r*rs+p*cs], B element (p,j) is b[bi+p*bs+j], C
// element (r,j) is c[ci+r*ldc+j]. The panel must hold goNR columns (zero
// padded past cols); rows ≤ goMR, cols ≤ goNR.
//
// It works on 4×4 quarter tiles with the sixteen sums in locals, so they
// can live in registers. Rows past rows read row 0 again and are not
// stored. Each term is a multiply and an add, which the compiler fuses on
// some architectures (arm64) but not on amd64, so results may differ from
// the FMA kernels in the last bits, within the same error bound.
func goKernel(rows, cols, kc int, a []float32, ai, rs, cs int, b []float32, bi, bs int, c []float32, ci, ldc int, alpha, beta float32, mode int) {
	var r [goMR]int // offsets of the sliver's rows in a
	for i := range r {
		if i < rows {
			r[i] = ai + i*rs
		} else {
			r[i] = ai
		}
	}
	for j0 := 0; j0 < min(cols, goNR); j0 += 4 {
		var acc [goMR][4]float32
		s00, s01, s02, s03 := float32(0), float32(0), float32(0), float32(0)
		s10, s11, s12, s13 := float32(0), float32(0), float32(0), float32(0)
		s20, s21, s22, s23 := float32(0), float32(0), float32(0), float32(0)
		s30, s31, s32, s33 := float32(0), float32(0), float32(0), float32(0)
		bp := bi + j0
		p0, p1, p2, p3 := r[0], r[1], r[2], r[3]
		for range kc {
			bv := b[bp : bp+4 : bp+4]
			b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
			a0, a1, a2, a3 := a[p0], a[p1], a[p2], a[p3]
			s00 += a0 * b0
			s01 += a0 * b1
			s02 += a0 * b2
			s03 += a0 * b3
			s10 += a1 * b0
			s11 += a1 * b1
			s12 += a1 * b2
			s13 += a1 * b3
			s20 += a2 * b0
			s21 += a2 * b1
			s22 += a2 * b2
			s23 += a2 * b3
			s30 += a3 * b0
			s31 += a3 * b1
			s32 += a3 * b2
			s33 += a3 * b3
			bp += bs
			p0 += cs
			p1 += cs
			p2 += cs
			p3 += cs
		}
		acc[0] = [4]float32{s00, s01, s02, s03}
		acc[1] = [4]float32{s10, s11, s12, s13}
		acc[2] = [4]float32{s20, s21, s22, s23}
		acc[3] = [4]float32{s30, s31, s32, s33}
		for i := range rows {
			dst := c[ci+i*ldc+j0 : ci+i*ldc+min(cols, j0+4)]
			for j := range dst {
				v := alpha * acc[i][j]
				if mode != 0 {
					v += beta * dst[j]
				}
				dst[j] = v
			}
		}
	}
}
