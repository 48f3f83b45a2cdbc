package nn

import (
	"math"
	"testing"
)

func TestBiasSiLUKernelPaths(t *testing.T) {
	// The AVX-512 kernel and the portable one compute the same formula with
	// and without fused multiply-adds: they agree to a few ulp (4e-7
	// relative), or to a few ulp of 1 (5e-7 absolute) where silu' = s·(1 +
	// z·(1 − s)) cancels near z ≈ −1.28. Lengths cover full vectors, masked
	// tails and both together; values cover ±Inf, NaN and the clamp at 100.
	if !haveAVX512 {
		t.Skip("no AVX-512 on this CPU: only the portable kernel exists")
	}
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
					t.Fatalf("n=%d i=%d z=%g: AVX-512 %g, Go %g", n, i, y[i]+b[i], a, g)
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
