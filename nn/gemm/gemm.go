package gemm

import "runtime"

// Sgemm computes C = alpha*op(A)*op(B) + beta*C on row-major matrices,
// where op(X) is X or its transpose Xᵀ as transA/transB say.
// op(A) is m×k, op(B) is k×n and C is m×n; lda, ldb and ldc are the row
// strides of A, B and C as stored. When beta is 0, C is not read; when
// alpha or k is 0, A and B are not read (C = beta*C).
//
// Sgemm runs the fastest kernel path of this CPU on up to GOMAXPROCS
// goroutines; it is Config{}.Sgemm. It does not allocate in steady state.
//
// Sgemm panics if a dimension is negative, a stride is smaller than the
// stored row length, or a slice is too short for its shape and stride.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Config{}.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// A Config selects how Sgemm runs. The zero Config picks the fastest path
// and uses up to GOMAXPROCS goroutines. No setting changes the result's
// bits on a given path: every element of C is summed in the same order
// whatever the number of goroutines (see the package comment).
type Config struct {
	// Path forces a kernel path; Sgemm panics if the CPU lacks it (see
	// Path.Supported). PathAuto picks BestPath.
	Path Path
	// Workers bounds the goroutines one call uses, the caller included;
	// 0 or less means runtime.GOMAXPROCS(0). A call uses at most as many
	// as it has parts (see the package comment).
	Workers int
}

// Sgemm is the package-level Sgemm run as cfg says.
func (cfg Config) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	ar := archFor(cfg.Path)
	j := jobPool.Get().(*job)
	j.transA, j.transB = transA, transB
	j.m, j.n, j.k = m, n, k
	j.alpha, j.beta = alpha, beta
	j.a, j.b, j.c = a, b, c
	j.lda, j.ldb, j.ldc = lda, ldb, ldc
	j.ar = ar
	j.pl = makePlan(ar, m, n, k)
	w := cfg.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	j.run(min(w, j.pl.parts()) - 1)
	j.a, j.b, j.c = nil, nil, nil // do not keep the caller's arrays alive
	jobPool.Put(j)
}

// checkArgs panics unless the shapes, strides and lengths are consistent.
func checkArgs(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(errNegative)
	}
	ra, ca := m, k
	if transA {
		ra, ca = k, m
	}
	rb, cb := k, n
	if transB {
		rb, cb = n, k
	}
	switch {
	case lda < max(1, ca):
		panic(errLDA)
	case ldb < max(1, cb):
		panic(errLDB)
	case ldc < max(1, n):
		panic(errLDC)
	case !fits(la, ra, ca, lda):
		panic(errShortA)
	case !fits(lb, rb, cb, ldb):
		panic(errShortB)
	case !fits(lc, m, n, ldc):
		panic(errShortC)
	}
}

// fits reports whether a slice of length l holds a rows×cols matrix with
// row stride ld.
func fits(l, rows, cols, ld int) bool {
	return rows == 0 || cols == 0 || l >= (rows-1)*ld+cols
}

// scaleC sets C = beta*C, or C = 0 when beta is 0 (C is then not read).
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}
