package nn

import (
	"math"
	"testing"
)

func TestBiasSiLUKernelPaths(t *testing.T) {
	// The assembly kernels and the portable one compute the same formula with
	// and without fused multiply-adds: they agree to a few ulp (4e-7
	// relative), or to a few ulp of 1 (5e-7 absolute) where silu' = s·(1 +
	// z·(1 − s)) cancels near z ≈ −1.28. Lengths cover full vectors, masked
	// tails and both together; values cover ±Inf, NaN and the clamp at 100.
	forAsmPaths(t, testBiasSiLUPath)
}

func testBiasSiLUPath(t *testing.T) {
	rng := newTestRand()
	special := []float32{0, -0, 1e-30, -1e-30, 88, -88, 100, -100, 150, -150, 1e30, -1e30,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	for _, n := range []int{1, 7, 15, 16, 17, 33, 256} {
		y := randVec(rng, n)
		for i := range y {
			y[i] *= 12
			if i < len(special) && n >= 16 {
				y[i] = special[i]
			}
		}
		b := randVec(rng, n)
		y1, y2 := append([]float32(nil), y...), append([]float32(nil), y...)
		d1, d2 := make([]float32, n), make([]float32, n)
		biasSiLURow(y1, d1, b)
		biasSiLURowGo(y2, d2, b)
		for i := range y1 {
			for _, p := range [][2]float32{{y1[i], y2[i]}, {d1[i], d2[i]}} {
				a, g := float64(p[0]), float64(p[1])
				if math.IsNaN(a) != math.IsNaN(g) || (!math.IsNaN(a) && !near(a, g, 5e-7, 4e-7)) {
					t.Fatalf("n=%d i=%d z=%g: assembly %g, Go %g", n, i, y[i]+b[i], a, g)
				}
			}
		}
		// Without d the output is the same.
		y3 := append([]float32(nil), y...)
		biasSiLURow(y3, nil, b)
		for i := range y3 {
			if math.Float32bits(y3[i]) != math.Float32bits(y1[i]) {
				t.Fatalf("n=%d: output depends on whether d is written", n)
			}
		}
	}
}

func TestRowOpsKernelPaths(t *testing.T) {
	// The assembly layer-norm primitives against the portable ones. Sums of
	// n ≤ 256 values of O(1) in different orders: n·6e-8 relative to Σ|x|,
	// so 2e-5 absolute; element-wise results: a few ulp.
	forAsmPaths(t, testRowOpsPath)
}

func testRowOpsPath(t *testing.T) {
	rng := newTestRand()
	for _, n := range []int{1, 2, 7, 8, 9, 15, 16, 17, 31, 47, 256} {
		x, pb, g, y := randVec(rng, n), randVec(rng, n), randVec(rng, n), randVec(rng, n)
		x1, x2 := append([]float32(nil), x...), append([]float32(nil), x...)
		s1, s2 := rowSumBias(x1, pb), rowSumBiasGo(x2, pb)
		checkClose(t, "sumBias", n, []float32{s1}, []float32{s2}, 2e-5)
		checkClose(t, "sumBias x", n, x1, x2, 0)
		checkClose(t, "sum", n, []float32{rowSumBias(x1, nil)}, []float32{rowSumBiasGo(x2, nil)}, 2e-5)
		checkClose(t, "sumSqDev", n, []float32{rowSumSqDev(x, 0.3)}, []float32{rowSumSqDevGo(x, 0.3)}, 2e-5)
		y1, y2 := make([]float32, n), make([]float32, n)
		rowNorm(y1, x, 0.3, 1.7)
		rowNormGo(y2, x, 0.3, 1.7)
		checkClose(t, "norm", n, y1, y2, 5e-7)
		a1, b1 := rowSumDot(g, y)
		a2, b2 := rowSumDotGo(g, y)
		checkClose(t, "sumDot", n, []float32{a1, b1}, []float32{a2, b2}, 2e-5)
		for _, acc := range []bool{false, true} {
			d1, d2 := append([]float32(nil), x...), append([]float32(nil), x...)
			rowLNBack(d1, g, y, 0.2, -0.4, 1.3, acc)
			rowLNBackGo(d2, g, y, 0.2, -0.4, 1.3, acc)
			checkClose(t, "lnBack", n, d1, d2, 1e-6)
		}
	}
}

func checkClose(t *testing.T, what string, n int, a, b []float32, abs float64) {
	t.Helper()
	for i := range a {
		if !near(float64(a[i]), float64(b[i]), abs, 4e-7) {
			t.Fatalf("%s n=%d [%d]: assembly %g, Go %g", what, n, i, a[i], b[i])
		}
	}
}

func TestVecKernelPathsBitIdentical(t *testing.T) {
	// One float32 operation per value (and the same order of row sums):
	// the assembly and portable element-wise kernels agree bit for bit.
	forAsmPaths(t, testVecPath)
}

func testVecPath(t *testing.T) {
	rng := newTestRand()
	for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 47, 256} {
		a, b, dst := randVec(rng, n), randVec(rng, n), randVec(rng, n)
		d1, d2 := append([]float32(nil), dst...), append([]float32(nil), dst...)
		vAddTo(d1, a)
		vAddToGo(d2, a)
		checkClose(t, "addTo", n, d1, d2, 0)
		vAdd3(d1, a, b)
		vAdd3Go(d2, a, b)
		checkClose(t, "add3", n, d1, d2, 0)
		acc1, acc2 := append([]float32(nil), dst...), append([]float32(nil), dst...)
		vMulAcc(d1, a, b, acc1)
		vMulAccGo(d2, a, b, acc2)
		checkClose(t, "mulAcc", n, d1, d2, 0)
		checkClose(t, "mulAcc acc", n, acc1, acc2, 0)
		for i := range d1 {
			if math.Float32bits(d1[i]) != math.Float32bits(d2[i]) || math.Float32bits(acc1[i]) != math.Float32bits(acc2[i]) {
				t.Fatalf("n=%d [%d]: results differ in their bits", n, i)
			}
		}
	}
}
