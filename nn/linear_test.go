package nn

import (
	"math/rand/v2"
	"testing"
)

func TestLinearInitBounds(t *testing.T) {
	t.Parallel()
	// PyTorch's default: W and b uniform on ±1/√fan_in. With 4096 draws the
	// extremes come within 1% of the bound, and the mean is near 0.
	l := randLinear(rand.New(rand.NewPCG(3, 4)), "l", 64, 64)
	bound := float32(1.0 / 8)
	var lo, hi float32
	var sum float64
	for _, v := range l.W.Data {
		lo, hi = min(lo, v), max(hi, v)
		sum += float64(v)
	}
	if lo < -bound || hi > bound || lo > -0.99*bound || hi < 0.99*bound {
		t.Errorf("weights span [%g, %g], want within and near ±%g", lo, hi, bound)
	}
	// Mean of 4096 U(±1/8): std 0.125/√3/64 ≈ 0.0011; 5σ.
	if m := sum / 4096; m > 0.0056 || m < -0.0056 {
		t.Errorf("weight mean %g, want ≈ 0", m)
	}
	for _, v := range l.B.Data {
		if v < -bound || v > bound {
			t.Fatalf("bias %g outside ±%g", v, bound)
		}
	}
}
