package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchShapes are the products of the SDA local score network (width 256,
// 47 input and 15 output features) at 15,616 rows (256 samples × 61
// windows) and at the 1024/256-row training batches, forward and backward.
var benchShapes = []struct {
	name           string
	transA, transB bool
	m, k, n        int
}{
	{"NN-15616x256x256", false, false, 15616, 256, 256},
	{"NN-256x256x256", false, false, 256, 256, 256},
	{"NN-1024x256x256", false, false, 1024, 256, 256},
	{"NN-15616x47x256", false, false, 15616, 47, 256},
	{"NN-15616x256x15", false, false, 15616, 256, 15},
	// Forward of a Linear layer (Y = X·Wᵀ) and input gradient dX = dY·W.
	{"NT-15616x256x256", false, true, 15616, 256, 256},
	{"NT-1024x256x256", false, true, 1024, 256, 256},
	{"NT-256x256x256", false, true, 256, 256, 256},
	// Weight gradients dW = dYᵀ·X, k = batch rows.
	{"TN-256x15616x256", true, false, 256, 15616, 256},
	{"TN-256x1024x256", true, false, 256, 1024, 256},
	{"TN-256x256x256", true, false, 256, 256, 256},
}

// BenchmarkSgemm reports GFLOP/s (2mnk per call) of the best path on the
// network's shapes with one goroutine and with two.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range benchShapes {
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/w=%d", s.name, w), func(b *testing.B) {
				benchSgemm(b, Config{Workers: w}, s.transA, s.transB, s.m, s.n, s.k)
			})
		}
	}
}

// BenchmarkSgemmPath compares the kernel paths on one large product.
func BenchmarkSgemmPath(b *testing.B) {
	for _, p := range Paths() {
		b.Run(fmt.Sprintf("%v/NN-1024x256x256", p), func(b *testing.B) {
			benchSgemm(b, Config{Path: p, Workers: 1}, false, false, 1024, 256, 256)
		})
	}
}

// benchSgemm reports GFLOP/s and, for the assembly paths, %peak: the
// GFLOP/s over the best FMA peak of the path's vector width on
// cfg.Workers goroutines, measured right before and after the loop, so
// that load from other processes roughly cancels out.
func benchSgemm(b *testing.B, cfg Config, transA, transB bool, m, n, k int) {
	o := newOperands(rand.New(rand.NewPCG(1, 2)), transA, transB, m, n, k, 0)
	cfg.Sgemm(transA, transB, m, n, k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc) // grow the buffers
	peak := PeakGFLOPS(cfg.Path, cfg.Workers)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		cfg.Sgemm(transA, transB, m, n, k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
	}
	b.StopTimer()
	flops := 2 * float64(m) * float64(n) * float64(k) * float64(b.N)
	rate := flops / b.Elapsed().Seconds() / 1e9
	b.ReportMetric(rate, "GFLOP/s")
	if peak = max(peak, PeakGFLOPS(cfg.Path, cfg.Workers)); peak > 0 {
		b.ReportMetric(100*rate/peak, "%peak")
	}
}
