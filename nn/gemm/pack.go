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

// pack packs rows pc..pc+kc of op(B), columns jc.. as laid out by l.
func (j *job) pack(dst []float32, l layout, pc, kc, jc int) {
	nr := j.ar.wide.nr
	switch {
	case l.full == 0:
	case !j.transB && j.ar.packZ != nil:
		j.ar.packZ(kc, &j.b[pc*j.ldb+jc], j.ldb, &dst[0], l.full, nr, nr, lowBits(nr), lowBits(nr))
	default:
		for q := 0; q < l.full; q++ {
			j.packPanel(dst[q*kc*nr:], pc, kc, jc+q*nr, nr, nr)
		}
	}
	if l.tail > 0 {
		j.packPanel(dst[l.full*kc*nr:], pc, kc, jc+l.full*nr, l.tail, l.tailF.nr)
	}
}

// packPanel packs one kc×nr panel of op(B) holding w ≤ nr columns from j0.
func (j *job) packPanel(dst []float32, pc, kc, j0, w, nr int) {
	if !j.transB {
		packN(dst, j.b, j.ldb, pc, kc, j0, w, nr)
		return
	}
	tr := j.ar.transpose
	if tr == nil || w%16 != 0 || kc < 16 {
		packT(dst, j.b, j.ldb, pc, kc, j0, w, nr)
		return
	}
	nblk := kc / 16
	for h := 0; h < w; h += 16 {
		tr(nblk, &j.b[(j0+h)*j.ldb+pc], j.ldb, &dst[h], nr)
	}
	if done := 16 * nblk; done < kc {
		packT(dst[done*nr:], j.b, j.ldb, pc+done, kc-done, j0, w, nr)
	}
}
