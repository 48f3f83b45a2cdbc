package gemm

// packN copies the block B[pc:pc+kc, j0:j0+w] of a row-major B (element
// (p,j) at b[p*ldb+j]) into dst as a kc×nr panel, row p at dst[p*nr:],
// zero-filling columns w..nr-1.
func packN(dst, b []float32, ldb, pc, kc, j0, w, nr int) {
	dst = dst[:kc*nr]
	src := pc*ldb + j0
	for p := 0; p < kc; p++ {
		row := dst[p*nr : p*nr+nr]
		copy(row, b[src:src+w])
		clear(row[w:])
		src += ldb
	}
}

// packT fills dst like packN from a transposed B (element (p,j) of op(B)
// at b[j*ldb+p]). Four source rows are read together so each pass writes
// four adjacent floats of every panel row.
func packT(dst, b []float32, ldb, pc, kc, j0, w, nr int) {
	dst = dst[:kc*nr]
	if w < nr {
		clear(dst)
	}
	j := 0
	for ; j+4 <= w; j += 4 {
		s0 := b[(j0+j)*ldb+pc:][:kc]
		s1 := b[(j0+j+1)*ldb+pc:][:kc]
		s2 := b[(j0+j+2)*ldb+pc:][:kc]
		s3 := b[(j0+j+3)*ldb+pc:][:kc]
		d := dst[j:]
		for p := range s0 {
			q := d[p*nr : p*nr+4 : p*nr+4]
			q[0], q[1], q[2], q[3] = s0[p], s1[p], s2[p], s3[p]
		}
	}
	for ; j < w; j++ {
		s := b[(j0+j)*ldb+pc:][:kc]
		for p, v := range s {
			dst[p*nr+j] = v
		}
	}
}
