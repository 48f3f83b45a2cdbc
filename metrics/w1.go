package metrics

import (
	"fmt"
	"math"

	"sdapipe/internal/chunks"
)

// RowsPerChunk is the number of cost-matrix rows one worker computes at a
// time in EuclideanCost.
const RowsPerChunk = 32

// colsPerTile is the number of y rows EuclideanCost keeps hot in cache
// (32 rows of 195 values: 50 KB).
const colsPerTile = 32

// EuclideanCost writes the pairwise Euclidean distances between the rows
// of x and y, both (n, d) row-major, into dst (n×n): dst[i·n + j] =
// ‖x_i − y_j‖₂. Rows are computed in parallel in fixed chunks and each
// entry independently, in one fixed summation order, so the result does
// not depend on GOMAXPROCS, and swapping x and y transposes it exactly. It
// panics if d < 1, if len(x) or len(y) is not n·d, or if len(dst) != n·n.
func EuclideanCost(dst, x, y []float64, d int) {
	if d < 1 || len(x)%d != 0 || len(y) != len(x) || len(dst) != (len(x)/d)*(len(x)/d) {
		panic("metrics: EuclideanCost needs x, y of shape (n, d) and dst of length n·n")
	}
	n := len(x) / d
	chunks.Each((n+RowsPerChunk-1)/RowsPerChunk, func(c int) {
		lo, hi := c*RowsPerChunk, min((c+1)*RowsPerChunk, n)
		// Tile the columns so that a block of y rows stays in cache while
		// the chunk's rows of x pass over it: streaming all of y per row
		// is bound by memory bandwidth.
		for j0 := 0; j0 < n; j0 += colsPerTile {
			j1 := min(j0+colsPerTile, n)
			for i := lo; i < hi; i++ {
				xi := x[i*d : (i+1)*d]
				out := dst[i*n : (i+1)*n]
				j := j0
				for ; j+4 <= j1; j += 4 {
					s0, s1, s2, s3 := sqDist4(xi, y[j*d:(j+1)*d], y[(j+1)*d:(j+2)*d], y[(j+2)*d:(j+3)*d], y[(j+3)*d:(j+4)*d])
					out[j], out[j+1], out[j+2], out[j+3] = math.Sqrt(s0), math.Sqrt(s1), math.Sqrt(s2), math.Sqrt(s3)
				}
				for ; j < j1; j++ {
					out[j] = math.Sqrt(sqDist(xi, y[j*d:(j+1)*d]))
				}
			}
		}
	})
}

// sqDist returns ‖a − b‖² (len(b) ≥ len(a)), summing the even and the odd
// coordinates in two partial sums for instruction-level parallelism, then
// adding them: the same order as each result of sqDist4.
func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var e, o float64
	for len(a) >= 2 {
		d0, d1 := a[0]-b[0], a[1]-b[1]
		e += d0 * d0
		o += d1 * d1
		a, b = a[2:], b[2:]
	}
	if len(a) == 1 {
		d0 := a[0] - b[0]
		e += d0 * d0
	}
	return e + o
}

// sqDist4 returns ‖a − b_r‖² for four rows b0 … b3 at once (each at
// least as long as a), in sqDist's summation order: a is loaded once for
// four rows, and the eight partial sums are independent chains.
func sqDist4(a, b0, b1, b2, b3 []float64) (s0, s1, s2, s3 float64) {
	n := len(a)
	b0, b1, b2, b3 = b0[:n], b1[:n], b2[:n], b3[:n]
	var e0, e1, e2, e3, o0, o1, o2, o3 float64
	k := 1
	for ; k < n; k += 2 {
		x0, x1 := a[k-1], a[k]
		d := x0 - b0[k-1]
		e0 += d * d
		d = x0 - b1[k-1]
		e1 += d * d
		d = x0 - b2[k-1]
		e2 += d * d
		d = x0 - b3[k-1]
		e3 += d * d
		d = x1 - b0[k]
		o0 += d * d
		d = x1 - b1[k]
		o1 += d * d
		d = x1 - b2[k]
		o2 += d * d
		d = x1 - b3[k]
		o3 += d * d
	}
	if k--; k < n { // n odd: one coordinate left
		x0 := a[k]
		d := x0 - b0[k]
		e0 += d * d
		d = x0 - b1[k]
		e1 += d * d
		d = x0 - b2[k]
		e2 += d * d
		d = x0 - b3[k]
		e3 += d * d
	}
	return e0 + o0, e1 + o1, e2 + o2, e3 + o3
}

// W1 returns the Wasserstein-1 distance between the empirical
// distributions of two equal-size sample sets x and y, (n, d) row-major,
// under the Euclidean cost (docs/method.md §6.2 metric 3, POT's emd2 with
// uniform weights):
//
//	W1 = min over permutations π of (1/n)·Σ_i ‖x_i − y_π(i)‖₂,
//
// exact: with uniform weights and equal sizes an optimal transport plan
// is a permutation (Birkhoff), which Assign finds. It allocates the n×n
// cost matrix.
//
// W1 returns an error wrapping ErrSize if the sets are empty or of
// different sizes, or ErrNonFinite for a NaN or infinite coordinate. It
// panics if d < 1 or a length is not a multiple of d.
func W1(x, y []float64, d int) (float64, error) {
	if d < 1 || len(x)%d != 0 || len(y)%d != 0 {
		panic("metrics: W1 needs x and y of shape (n, d) with d ≥ 1")
	}
	n := len(x) / d
	if n == 0 || len(y) != len(x) {
		return 0, fmt.Errorf("%w: W1 of %d and %d samples: want equal, non-zero sizes", ErrSize, n, len(y)/d)
	}
	for si, s := range [2][]float64{x, y} {
		for k, v := range s {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("%w: W1: %s[%d, %d] = %v", ErrNonFinite, [2]string{"x", "y"}[si], k/d, k%d, v)
			}
		}
	}
	cost := make([]float64, n*n)
	EuclideanCost(cost, x, y, d)
	perm := make([]int, n)
	total, err := Assign(perm, cost, n)
	if err != nil {
		// Finite inputs can still overflow a distance (|x| ~ 1e154).
		return 0, fmt.Errorf("W1: %w", err)
	}
	return total / float64(n), nil
}
