package floats

import (
	"math"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	x := []float64{0, 1, -2.5, 1e-40, math.Inf(-1), 0.1}
	y := To32(x)
	want := []float32{0, 1, -2.5, float32(1e-40), float32(math.Inf(-1)), 0.1}
	for i := range y {
		if y[i] != want[i] {
			t.Fatalf("To32[%d] = %v, want %v", i, y[i], want[i])
		}
	}
	z := To64(y)
	for i := range z {
		if z[i] != float64(want[i]) {
			t.Fatalf("To64[%d] = %v, want %v", i, z[i], float64(want[i]))
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Copy32 accepted lengths 2 and 3")
		}
	}()
	Copy32(make([]float32, 2), make([]float64, 3))
}
