package dynamics

import (
	"errors"
	"testing"
)

// TestSplitFractionsMatchesSplit: 10% validation and 10% test split every
// n as Split does, although 0.8·n and 0.9·n are not exact in float64.
func TestSplitFractionsMatchesSplit(t *testing.T) {
	for n := range 100001 {
		a, b, c, err := SplitFractions(n, 0.1, 0.1)
		i, j, k := Split(n)
		if err != nil || a != i || b != j || c != k {
			t.Fatalf("n = %d: SplitFractions %d/%d/%d (%v), Split %d/%d/%d", n, a, b, c, err, i, j, k)
		}
	}
}

func TestSplitFractions(t *testing.T) {
	for _, tc := range []struct {
		n           int
		valid, test float64
		want        [3]int
	}{
		{10, 0.2, 0.3, [3]int{5, 2, 3}},
		{10, 0, 0, [3]int{10, 0, 0}},
		{10, 0.7, 0.3, [3]int{0, 7, 3}},
		{7, 0.5, 0.5, [3]int{0, 3, 4}},
		{3, 1.0 / 3, 1.0 / 3, [3]int{1, 1, 1}},
		{64, 0.125, 0.25, [3]int{40, 8, 16}},
	} {
		a, b, c, err := SplitFractions(tc.n, tc.valid, tc.test)
		if err != nil || [3]int{a, b, c} != tc.want {
			t.Errorf("SplitFractions(%d, %v, %v) = %d/%d/%d (%v), want %v", tc.n, tc.valid, tc.test, a, b, c, err, tc.want)
		}
	}
	for _, bad := range [][2]float64{{-0.1, 0.1}, {0.6, 0.5}, {0.1, -1e-9}} {
		if _, _, _, err := SplitFractions(10, bad[0], bad[1]); !errors.Is(err, ErrSize) {
			t.Errorf("SplitFractions(10, %v, %v): err %v, want ErrSize", bad[0], bad[1], err)
		}
	}
}
