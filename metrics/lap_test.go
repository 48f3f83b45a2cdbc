package metrics

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// bruteForce returns the minimal assignment cost over all n! permutations.
func bruteForce(cost []float64, n int) float64 {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	best := math.Inf(1)
	var rec func(k int, acc float64)
	rec = func(k int, acc float64) {
		if k == n {
			best = min(best, acc)
			return
		}
		for i := k; i < n; i++ {
			perm[k], perm[i] = perm[i], perm[k]
			rec(k+1, acc+cost[k*n+perm[k]])
			perm[k], perm[i] = perm[i], perm[k]
		}
	}
	rec(0, 0)
	return best
}

// costKinds generates test matrices, including ones with many ties, which
// exercise LAPJV's tie-breaking branches.
var costKinds = []struct {
	name string
	gen  func(rng *rand.Rand, n int) []float64
}{
	{"uniform", func(rng *rand.Rand, n int) []float64 {
		c := make([]float64, n*n)
		for k := range c {
			c[k] = rng.Float64()
		}
		return c
	}},
	{"small integers", func(rng *rand.Rand, n int) []float64 {
		c := make([]float64, n*n)
		for k := range c {
			c[k] = float64(rng.IntN(4))
		}
		return c
	}},
	{"constant", func(rng *rand.Rand, n int) []float64 {
		c := make([]float64, n*n)
		for k := range c {
			c[k] = 2.5
		}
		return c
	}},
	{"rank one", func(rng *rand.Rand, n int) []float64 { // c_ij = a_i·b_j: many equal-cost optima
		a, b := make([]float64, n), make([]float64, n)
		for i := range a {
			a[i], b[i] = float64(1+rng.IntN(3)), float64(1+rng.IntN(3))
		}
		c := make([]float64, n*n)
		for i := range n {
			for j := range n {
				c[i*n+j] = a[i] * b[j]
			}
		}
		return c
	}},
	{"euclidean 195-D", func(rng *rand.Rand, n int) []float64 { // concentrated distances
		const d = 195
		x, y := make([]float64, n*d), make([]float64, n*d)
		for k := range x {
			x[k], y[k] = rng.NormFloat64(), rng.NormFloat64()
		}
		c := make([]float64, n*n)
		EuclideanCost(c, x, y, d)
		return c
	}},
	{"wide range", func(rng *rand.Rand, n int) []float64 {
		c := make([]float64, n*n)
		for k := range c {
			c[k] = math.Exp(20*rng.Float64()-10) - 1e3*rng.Float64()
		}
		return c
	}},
}

// TestAssignBruteForce compares with exhaustive search on small instances.
func TestAssignBruteForce(t *testing.T) {
	t.Parallel()
	for _, kind := range costKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(1, 2))
			for n := 0; n <= 7; n++ {
				for trial := range 30 {
					c := kind.gen(rng, n)
					dst := make([]int, n)
					got, err := Assign(dst, c, n)
					if err != nil {
						t.Fatal(err)
					}
					want := bruteForce(c, n)
					// Both are sums of n ≤ 7 costs; the orders differ, a few ulps.
					if !scalar.EqualWithinAbsOrRel(got, want, 1e-12, 1e-12) {
						t.Fatalf("n=%d trial %d: Assign = %.17g, brute force %.17g", n, trial, got, want)
					}
					checkPermutation(t, dst, c, n, got)
				}
			}
		})
	}
}

// checkPermutation verifies that dst is a permutation whose cost is total.
func checkPermutation(t *testing.T, dst []int, c []float64, n int, total float64) {
	t.Helper()
	seen := make([]bool, n)
	var s float64
	for i, j := range dst {
		if j < 0 || j >= n || seen[j] {
			t.Fatalf("dst = %v is not a permutation", dst)
		}
		seen[j] = true
		s += c[i*n+j]
	}
	if s != total {
		t.Fatalf("returned total %v differs from the assignment's cost %v", total, s)
	}
}

// TestAssignDualCertificate checks optimality on larger instances through
// LP duality: with u_i = c[i, π(i)] − v[π(i)], the final prices must be
// dual feasible, c[i, j] − u_i − v_j ≥ −ε for every pair, which proves
// Σ c[i, π(i)] = Σu + Σv ≤ the cost of any assignment + n·ε.
func TestAssignDualCertificate(t *testing.T) {
	t.Parallel()
	sizes := []int{50, 300}
	if testing.Short() {
		sizes = []int{50, 120}
	}
	for _, kind := range costKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(3, 4))
			for _, n := range sizes {
				c := kind.gen(rng, n)
				rowsol, v := solveLAP(c, n)
				var scale float64
				for _, x := range c {
					scale = max(scale, math.Abs(x))
				}
				// Prices accumulate O(n) rounded updates of costs of size scale.
				eps := 1e-12 * scale * float64(n)
				seen := make([]bool, n)
				for i := range n {
					j0 := int(rowsol[i])
					if seen[j0] {
						t.Fatalf("n=%d: column %d assigned twice", n, j0)
					}
					seen[j0] = true
					u := c[i*n+j0] - v[j0]
					for j := range n {
						if r := c[i*n+j] - u - v[j]; r < -eps {
							t.Fatalf("n=%d: reduced cost c[%d,%d] − u − v = %g < −%g: not optimal", n, i, j, r, eps)
						}
					}
				}
			}
		})
	}
}

func TestAssignErrors(t *testing.T) {
	t.Parallel()
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		c := []float64{1, 2, bad, 4}
		if _, err := Assign(make([]int, 2), c, 2); !errors.Is(err, ErrNonFinite) {
			t.Errorf("cost %v: err = %v, want ErrNonFinite", bad, err)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Assign with a 2×2 dst for a 3×3 matrix did not panic")
			}
		}()
		Assign(make([]int, 2), make([]float64, 9), 3)
	}()
}
