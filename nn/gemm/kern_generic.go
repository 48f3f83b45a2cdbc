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
// Each term is a separate multiply and add: on amd64 the Go compiler does
// not fuse them, so results may differ from the FMA kernels in the last
// bits (within the same error bound).
func goKernel(rows, cols, kc int, a []float32, ai, rs, cs int, b []float32, bi, bs int, c []float32, ci, ldc int, alpha, beta float32, mode int) {
	var acc [goMR][goNR]float32
	for r := range rows {
		row := &acc[r]
		ap := ai + r*rs
		bp := bi
		for range kc {
			av := a[ap]
			bv := b[bp : bp+goNR : bp+goNR]
			for j, x := range bv {
				row[j] += av * x
			}
			ap += cs
			bp += bs
		}
	}
	for r := range rows {
		dst := c[ci+r*ldc : ci+r*ldc+cols]
		for j := range dst {
			v := alpha * acc[r][j]
			if mode != 0 {
				v += beta * dst[j]
			}
			dst[j] = v
		}
	}
}
