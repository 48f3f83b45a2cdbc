package dynamics

import (
	"math"
	"testing"
)

// TestStandardizationMatchesLorenz63: the generic per-entry map gives the
// Lorenz system's own standardisation bit for bit, and Invert undoes it.
func TestStandardizationMatchesLorenz63(t *testing.T) {
	l := NewLorenz63()
	s := l.Standardization()
	x := []float64{1.5, -2, 30, 0, 0, 25, -7.25, 3, 12}
	want, got := make([]float64, len(x)), make([]float64, len(x))
	l.Standardize(want, x)
	s.Apply(got, x)
	for i := range x {
		if got[i] != want[i] {
			t.Fatalf("Apply[%d] = %v, Lorenz63.Standardize %v", i, got[i], want[i])
		}
	}
	back := make([]float64, len(x))
	s.Invert(back, got)
	l.Unstandardize(want, got)
	for i := range x {
		if back[i] != want[i] || math.Abs(back[i]-x[i]) > 1e-12*math.Max(1, math.Abs(x[i])) {
			t.Fatalf("Invert[%d] = %v, Lorenz63 %v, original %v", i, back[i], want[i], x[i])
		}
	}
}

// TestStandardizationPerChannel: a field state (2 channels of 3 values)
// uses one constant pair per channel.
func TestStandardizationPerChannel(t *testing.T) {
	s := Standardization{Mean: []float64{1, -1}, Scale: []float64{2, 4}, Inner: 3}
	x := []float64{1, 3, 5, -1, 3, 7, 1, 1, 1, -1, -1, -1}
	got := make([]float64, len(x))
	s.Apply(got, x)
	want := []float64{0, 1, 2, 0, 1, 2, 0, 0, 0, 0, 0, 0}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Apply = %v, want %v", got, want)
		}
	}
	x32 := []float32{0, 1, 2, 0, 1, 2}
	y32 := make([]float32, 6)
	s.Invert32(y32, x32)
	for i, w := range []float32{1, 3, 5, -1, 3, 7} {
		if y32[i] != w {
			t.Fatalf("Invert32 = %v", y32)
		}
	}
	id := Identity(2, 3)
	id.Apply(got, x)
	for i := range x {
		if got[i] != x[i] {
			t.Fatal("Identity changed a value")
		}
	}
}

func TestStandardizationPanicsOnPartialState(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for 5 values of states of 6")
		}
	}()
	s := Identity(2, 3)
	s.Apply(make([]float64, 5), make([]float64, 5))
}
