package dynamics

import (
	"errors"
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

// TestFitStandardization: per-entry mean and population standard deviation
// over every state and inner value, checked against hand-computed values;
// a large offset does not cancel (two passes), and the fitted map sends
// the data to mean 0, scale 1.
func TestFitStandardization(t *testing.T) {
	// Two entries of two inner values, three states: entry 0 holds
	// 1,2,3,4,5,6 (mean 3.5, variance 35/12), entry 1 holds 1e9 ± 1.
	x := []float64{
		1, 2, 1e9 - 1, 1e9 + 1,
		3, 4, 1e9 + 1, 1e9 - 1,
		5, 6, 1e9 - 1, 1e9 + 1,
	}
	s, err := FitStandardization(x, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Tolerances: a handful of float64 roundings of O(1) values.
	if math.Abs(s.Mean[0]-3.5) > 1e-15 || math.Abs(s.Scale[0]-math.Sqrt(35.0/12)) > 1e-15 {
		t.Errorf("entry 0: mean %v scale %v, want 3.5 and √(35/12)", s.Mean[0], s.Scale[0])
	}
	if s.Mean[1] != 1e9 || s.Scale[1] != 1 {
		t.Errorf("entry 1: mean %v scale %v, want 1e9 and 1", s.Mean[1], s.Scale[1])
	}
	y := make([]float64, len(x))
	s.Apply(y, x)
	for c := range 2 {
		var m, v float64
		for off := 0; off < len(y); off += 4 {
			for _, e := range y[off+2*c : off+2*c+2] {
				m += e / 6
				v += e * e / 6
			}
		}
		if math.Abs(m) > 1e-12 || math.Abs(v-1) > 1e-12 {
			t.Errorf("entry %d standardised to mean %v, mean square %v", c, m, v)
		}
	}
}

func TestFitStandardizationRejectsConstantAndNonFinite(t *testing.T) {
	_, err := FitStandardization([]float64{1, 7, 2, 7, 3, 7}, 2, 1)
	var ce *ConstantError
	if !errors.As(err, &ce) || ce.Entry != 1 || ce.Value != 7 || !errors.Is(err, ErrParams) {
		t.Errorf("constant entry 1: got %v", err)
	}
	_, err = FitStandardization([]float64{1, math.Inf(1), 2, 3}, 2, 1)
	if !errors.Is(err, ErrNonFinite) {
		t.Errorf("infinite value: got %v", err)
	}
}
