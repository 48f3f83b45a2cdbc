package nn

// The exported kernel API: what a model package (nets/resmlp, nets/unet)
// needs to build fast inference paths of its own outside the tape — fixed-
// chunk parallel loops, the row passes of the tape's ops, and products with
// a Linear layer's weight. Every pass splits its work at boundaries that
// depend on the shapes only, so results do not depend on GOMAXPROCS.

// A RangeJob processes items [lo, hi) of a pass run by ParallelFor. Keep
// jobs in long-lived structs and pass pointers, so that handing one to
// ParallelFor does not allocate.
type RangeJob interface{ Run(lo, hi int) }

// ParallelFor runs job over [0, n) in chunks of grain items. Chunk c always
// covers [c·grain, min((c+1)·grain, n)); chunks run concurrently, in no
// particular order, on the caller and the package's idle helper goroutines.
func ParallelFor(n, grain int, job RangeJob) { parallelForExt(n, grain, job) }

// RowKernels runs the row-wise passes of the network layers on row-major
// (rows, cols) arrays. With Serial set they run on the calling goroutine
// only (a caller that already splits work over goroutines wants that);
// otherwise each pass is spread over all cores. A RowKernels is not safe
// for concurrent use; give each goroutine its own.
type RowKernels struct {
	Serial bool
	jobs   tapeJobs
}

// LayerNorm writes the non-affine layer norm of each row of x into y
// (docs/method.md §2.4: unbiased variance, eps 1e-5). If pb is not nil it is
// first added to every row of x, in place; if rstd is not nil it receives
// 1/√(var + eps) per row. cols ≥ 2; y may equal x.
func (k *RowKernels) LayerNorm(y, x, pb, rstd []float32, rows, cols int) {
	k.jobs.ln.do(k.Serial, y, x, pb, rstd, rows, cols)
}

// LayerNormBackward adds the layer norm's input gradient for the output
// gradient dy into dx, given the normalised output yhat and rstd saved by
// LayerNorm:
//
//	dx ← dx + rstd·(dy − mean(dy) − ŷ·Σ(dy⊙ŷ)/(cols−1))
//
// Adding suits the residual block h + f(LN(h)), whose skip gradient is
// already in dx.
func (k *RowKernels) LayerNormBackward(dx, dy, yhat, rstd []float32, rows, cols int) {
	k.jobs.lnb.do(k.Serial, dx, dy, yhat, rstd, true, rows, cols)
}

// BiasSiLU replaces each row z of y by silu(z + b) and, if d is not nil,
// writes silu'(z + b) into d.
func (k *RowKernels) BiasSiLU(y, d, b []float32, rows, cols int) {
	k.jobs.silu.do(k.Serial, y, d, b, rows, cols)
}

// AddBias adds b (cols) to every row of y.
func (k *RowKernels) AddBias(y, b []float32, rows, cols int) {
	k.jobs.bias.do(k.Serial, y, b, rows, cols)
}

// Mul multiplies y by d elementwise, in place.
func (k *RowKernels) Mul(y, d []float32, rows, cols int) {
	k.jobs.col.do(k.Serial, nil, y, y, d, nil, rows, cols)
}

// MulWT computes y = x·W[:, off:off+k]ᵀ + beta·y for x (rows, k) and y
// (rows, Out): a product with k consecutive input columns of W, on at most
// workers goroutines (0: all). Results do not depend on workers.
func (l *Linear) MulWT(workers int, y, x []float32, rows, off, k int, beta float32) {
	l.mulWT(workers, y, x, rows, off, k, beta)
}

// MulW computes dx = g·W[:, off:off+k] + beta·dx for g (rows, Out) and dx
// (rows, k): the input gradient of MulWT.
func (l *Linear) MulW(workers int, dx, g []float32, rows, off, k int, beta float32) {
	l.mulW(workers, dx, g, rows, off, k, beta)
}

// TimeFeatures writes the 2·nf sinusoidal features of one time t into dst
// (len(dst) = 2·nf): cos(π·j·t) for j = 1..nf, then sin(π·j·t)
// (docs/method.md §2.3).
func TimeFeatures(dst []float32, t float32) { timeFeatures(dst, t) }

// SiLU returns silu(z) = z·sigmoid(z) and its derivative, in float32.
func SiLU(z float32) (a, d float32) { return silu(z) }

// Grow returns buf resliced to n values, reallocated only when its
// capacity is short. Contents are not preserved when it reallocates.
func Grow(buf []float32, n int) []float32 { return grow(buf, n) }
