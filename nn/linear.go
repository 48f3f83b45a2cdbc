package nn

import (
	"math"
	"math/rand/v2"

	"sdapipe/nn/gemm"
)

// A Linear layer computes y = x·Wᵀ + b.
type Linear struct {
	In, Out int
	W       *Param // (Out, In)
	B       *Param // (Out)
}

// NewLinear returns a zero layer whose parameters are named
// name+".weight" and name+".bias".
func NewLinear(name string, in, out int) *Linear {
	return &Linear{
		In: in, Out: out,
		W: newParam(name+".weight", out, in),
		B: newParam(name+".bias", out),
	}
}

// Init fills the layer with PyTorch's default initialisation of
// nn.Linear: Kaiming-uniform with a = √5 for W, whose bound
// gain·√(3/fan_in) with gain = √(2/(1 + a²)) is 1/√fan_in, and
// U(−1/√fan_in, 1/√fan_in) for b. W is drawn first, row-major, then b.
func (l *Linear) Init(rng *rand.Rand) {
	bound := 1 / math.Sqrt(float64(l.In))
	for i := range l.W.Data {
		l.W.Data[i] = float32((2*rng.Float64() - 1) * bound)
	}
	for i := range l.B.Data {
		l.B.Data[i] = float32((2*rng.Float64() - 1) * bound)
	}
}

// sgemm is gemm.Sgemm on at most workers goroutines (0: all of them).
// Results do not depend on workers.
func sgemm(workers int, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if workers == 0 {
		gemm.Sgemm(transA, transB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemm.Config{Workers: workers}.Sgemm(transA, transB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
}

// mulWT computes y = x·W[:, off:off+k]ᵀ + beta·y for x (rows, k) and y
// (rows, l.Out): a product with k consecutive columns of W, on at most
// workers goroutines (0: all).
func (l *Linear) mulWT(workers int, y, x []float32, rows, off, k int, beta float32) {
	sgemm(workers, false, true, rows, l.Out, k, x, k, l.W.Data[off:], l.In, beta, y, l.Out)
}

// mulW computes dx = g·W[:, off:off+k] + beta·dx for g (rows, l.Out) and
// dx (rows, k): the input gradient of mulWT.
func (l *Linear) mulW(workers int, dx, g []float32, rows, off, k int, beta float32) {
	sgemm(workers, false, false, rows, k, l.Out, g, l.Out, l.W.Data[off:], l.In, beta, dx, k)
}

// addGradW adds gᵀ·x into columns off:off+k of dw, a weight-shaped
// gradient (Out, In), for g (rows, Out) and x (rows, k).
func (l *Linear) addGradW(workers int, dw, g, x []float32, rows, off, k int) {
	sgemm(workers, true, false, l.Out, k, rows, g, l.Out, x, k, 1, dw[off:], l.In)
}
