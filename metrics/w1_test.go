package metrics

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

func gaussianSet(rng *rand.Rand, n, d int, shift float64) []float64 {
	x := make([]float64, n*d)
	for k := range x {
		x[k] = rng.NormFloat64() + shift
	}
	return x
}

// TestW1Properties checks metric properties with known answers:
// W1(X, X) = 0; W1(X, X + v) = |v| exactly for the Euclidean cost (every
// plan costs at least |Σ(x_i − y_π(i))|/n = |v| by the triangle
// inequality, and the identity attains it); symmetry; and the triangle
// inequality W1(X, Z) ≤ W1(X, Y) + W1(Y, Z).
func TestW1Properties(t *testing.T) {
	t.Parallel()
	tests := []struct{ n, d int }{{1, 1}, {5, 3}, {64, 195}, {200, 2}}
	for _, tc := range tests {
		rng := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.d)))
		x := gaussianSet(rng, tc.n, tc.d, 0)
		y := gaussianSet(rng, tc.n, tc.d, 0.3)
		z := gaussianSet(rng, tc.n, tc.d, -0.2)
		v := make([]float64, tc.d)
		var vn float64
		for k := range v {
			v[k] = 0.5 * rng.NormFloat64()
			vn += v[k] * v[k]
		}
		vn = math.Sqrt(vn)
		xv := make([]float64, len(x))
		for k := range x {
			xv[k] = x[k] + v[k%tc.d]
		}
		w := func(a, b []float64) float64 {
			got, err := W1(a, b, tc.d)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := w(x, x); got != 0 {
			t.Errorf("n=%d d=%d: W1(X, X) = %g, want 0", tc.n, tc.d, got)
		}
		// x + v − x recovers v to ~1 ulp of |x| per coordinate.
		if got := w(x, xv); !scalar.EqualWithinAbsOrRel(got, vn, 1e-12, 1e-12) {
			t.Errorf("n=%d d=%d: W1(X, X+v) = %.15g, want |v| = %.15g", tc.n, tc.d, got, vn)
		}
		xy, yx := w(x, y), w(y, x)
		// The optimal cost is unique; only the summation order differs.
		if !scalar.EqualWithinAbsOrRel(xy, yx, 1e-12, 1e-12) {
			t.Errorf("n=%d d=%d: W1(X, Y) = %.15g but W1(Y, X) = %.15g", tc.n, tc.d, xy, yx)
		}
		if xz, yz := w(x, z), w(y, z); xz > xy+yz+1e-12 {
			t.Errorf("n=%d d=%d: triangle inequality fails: %g > %g + %g", tc.n, tc.d, xz, xy, yz)
		}
	}
}

// TestW1KnownValue compares with a value computable by hand: in 1-D the
// optimal plan pairs sorted samples, so W1({0, 1, 5}, {2, 3, 10}) =
// (2 + 2 + 5)/3 = 3; and in 2-D, two points swapped across a square.
func TestW1KnownValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		x, y []float64
		d    int
		want float64
	}{
		{"1-D sorted pairing", []float64{5, 0, 1}, []float64{10, 3, 2}, 1, 3},
		{"2-D square", []float64{0, 0, 1, 1}, []float64{1, 0, 0, 1}, 2, 1},
		{"identical points", []float64{1, 1, 1}, []float64{1, 1, 1}, 1, 0},
	}
	for _, tc := range tests {
		got, err := W1(tc.x, tc.y, tc.d)
		if err != nil {
			t.Fatal(err)
		}
		// Exact small-integer distances.
		if !scalar.EqualWithinAbsOrRel(got, tc.want, 1e-15, 1e-15) {
			t.Errorf("%s: W1 = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestW1Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		x, y []float64
		want error
	}{
		{"empty", nil, nil, ErrSize},
		{"unequal", []float64{1, 2}, []float64{1, 2, 3, 4}, ErrSize},
		{"NaN", []float64{1, math.NaN()}, []float64{1, 2}, ErrNonFinite},
		{"Inf", []float64{1, 2}, []float64{math.Inf(-1), 2}, ErrNonFinite},
		{"overflowing distance", []float64{-1e300, 0}, []float64{1e300, 0}, ErrNonFinite},
	}
	for _, tc := range tests {
		if _, err := W1(tc.x, tc.y, 2); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestEuclideanCostDeterministic requires identical bytes at GOMAXPROCS 1
// and 2, and entries equal to the plain formula.
func TestEuclideanCostDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const n, d = 100, 7
	x, y := gaussianSet(rng, n, d, 0), gaussianSet(rng, n, d, 1)
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	one := make([]float64, n*n)
	EuclideanCost(one, x, y, d)
	runtime.GOMAXPROCS(2)
	two := make([]float64, n*n)
	EuclideanCost(two, x, y, d)
	for k := range one {
		if math.Float64bits(one[k]) != math.Float64bits(two[k]) {
			t.Fatalf("entry %d differs between GOMAXPROCS 1 and 2", k)
		}
		i, j := k/n, k%n
		var s float64
		for c := range d {
			s += (x[i*d+c] - y[j*d+c]) * (x[i*d+c] - y[j*d+c])
		}
		// Different summation order over 7 terms.
		if !scalar.EqualWithinAbsOrRel(one[k], math.Sqrt(s), 1e-14, 1e-14) {
			t.Fatalf("cost[%d, %d] = %v, want %v", i, j, one[k], math.Sqrt(s))
		}
	}
}
