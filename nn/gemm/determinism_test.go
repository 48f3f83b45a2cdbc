package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// splitShapes are products large enough to be split into two parts, by
// rows and by columns, with several k blocks and edge tiles.
var splitShapes = []struct {
	name           string
	transA, transB bool
	m, n, k        int
}{
	{"NN-rows", false, false, 700, 300, 600},
	{"NT-cols", false, true, 200, 300, 64},
	{"TN-cols", true, false, 256, 256, 1000},
	{"TT-rows", true, true, 301, 100, 130},
	{"NN-narrow", false, false, 2000, 15, 47},
}

// TestSgemmDeterministic checks that the bits of C do not depend on the
// number of goroutines: Workers 1, 2 and 3, and the default at GOMAXPROCS
// 1 and 2, on every path.
func TestSgemmDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, s := range splitShapes {
		o := newOperands(rand.New(rand.NewPCG(3, uint64(s.m))), s.transA, s.transB, s.m, s.n, s.k, 2)
		for _, p := range Paths() {
			run := func(cfg Config) []float32 {
				c := slices.Clone(o.c)
				cfg.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 0.5, o.a, o.lda, o.b, o.ldb, 0.25, c, o.ldc)
				return c
			}
			want := run(Config{Path: p, Workers: 1})
			for _, w := range []int{2, 3} {
				sameBits(t, fmt.Sprintf("%s %v Workers=%d", s.name, p, w), run(Config{Path: p, Workers: w}), want)
			}
			for _, procs := range []int{1, 2} {
				runtime.GOMAXPROCS(procs)
				sameBits(t, fmt.Sprintf("%s %v GOMAXPROCS=%d", s.name, p, procs), run(Config{Path: p}), want)
			}
		}
	}
}

// TestSgemmSplitInvariant checks the property that makes the above hold by
// construction: each element of C is summed in the same order however C
// is tiled. Computing C in separate calls on bands of rows or of columns
// (which moves tile edges, masked tails and kernel families around) gives
// the same bits as one call.
func TestSgemmSplitInvariant(t *testing.T) {
	for _, s := range splitShapes {
		o := newOperands(rand.New(rand.NewPCG(4, uint64(s.n))), s.transA, s.transB, s.m, s.n, s.k, 1)
		for _, p := range Paths() {
			cfg := Config{Path: p}
			whole := slices.Clone(o.c)
			cfg.Sgemm(s.transA, s.transB, s.m, s.n, s.k, -1, o.a, o.lda, o.b, o.ldb, 0.5, whole, o.ldc)

			rows := slices.Clone(o.c)
			for i0 := 0; i0 < s.m; i0 += 37 {
				mi := min(37, s.m-i0)
				ai := i0 * o.lda
				if s.transA {
					ai = i0
				}
				cfg.Sgemm(s.transA, s.transB, mi, s.n, s.k, -1, o.a[ai:], o.lda, o.b, o.ldb, 0.5, rows[i0*o.ldc:], o.ldc)
			}
			sameBits(t, fmt.Sprintf("%s %v row bands", s.name, p), rows, whole)

			cols := slices.Clone(o.c)
			for j0 := 0; j0 < s.n; j0 += 13 {
				nj := min(13, s.n-j0)
				bi := j0
				if s.transB {
					bi = j0 * o.ldb
				}
				cfg.Sgemm(s.transA, s.transB, s.m, nj, s.k, -1, o.a, o.lda, o.b[bi:], o.ldb, 0.5, cols[j0:], o.ldc)
			}
			sameBits(t, fmt.Sprintf("%s %v column bands", s.name, p), cols, whole)
		}
	}
}

func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Errorf("%s: element %d = %v (%#x), want %v (%#x)", what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
			return
		}
	}
}

// TestSgemmNoAlloc checks that steady-state calls do not allocate, on one
// goroutine and on two, for unsplit and split products.
func TestSgemmNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	for _, s := range append(splitShapes[:len(splitShapes):len(splitShapes)], struct {
		name           string
		transA, transB bool
		m, n, k        int
	}{"small", false, true, 9, 20, 7}) {
		o := newOperands(rand.New(rand.NewPCG(5, 6)), s.transA, s.transB, s.m, s.n, s.k, 0)
		for _, p := range Paths() {
			for _, w := range []int{1, 2} {
				cfg := Config{Path: p, Workers: w}
				n := testing.AllocsPerRun(5, func() {
					cfg.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
				})
				if n != 0 {
					t.Errorf("%s %v Workers=%d: %v allocations per call, want 0", s.name, p, w, n)
				}
			}
		}
	}
}
