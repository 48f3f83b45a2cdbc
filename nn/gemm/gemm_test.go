package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// shapeCase is one m×n×k product shape of the correctness table.
type shapeCase struct {
	name    string
	m, n, k int
	long    bool // skipped under -short
}

var shapeCases = []shapeCase{
	{name: "1x1x1", m: 1, n: 1, k: 1},
	{name: "7x13x5", m: 7, n: 13, k: 5},
	{name: "257x255x129", m: 257, n: 255, k: 129},
	{name: "rows-1..25", m: 25, n: 33, k: 9},   // every row count of a 24-row narrow tail
	{name: "tail-18", m: 37, n: 50, k: 31},     // tail panel of 18 > 16 columns: masked wide kernel
	{name: "narrow-n15", m: 100, n: 15, k: 47}, // n ≤ 16: narrow kernel only
	{name: "k-blocks", m: 30, n: 70, k: 600},   // three k blocks of 200
	{name: "nc-blocks", m: 13, n: 1100, k: 20}, // three column blocks of ≤ 512
	{name: "split-rows", m: 700, n: 40, k: 100},
	{name: "split-cols", m: 200, n: 300, k: 64},
	{name: "tall-15616x15x47", m: 15616, n: 15, k: 47},
	{name: "tall-15616x47x15", m: 15616, n: 47, k: 15},
	{name: "tall-15616x15x256", m: 15616, n: 15, k: 256, long: true},
	{name: "tall-2000x256x47", m: 2000, n: 256, k: 47, long: true},
	{name: "dW-96x80x2000", m: 96, n: 80, k: 2000, long: true}, // eight k blocks of 250
}

// scaleCase is an alpha/beta/stride variant applied to every shape.
type scaleCase struct {
	alpha, beta float32
	pad         int // extra elements per stored row of A, B and C
}

var scaleCases = []scaleCase{
	{alpha: 1, beta: 0, pad: 0},
	{alpha: -0.5, beta: 0.75, pad: 3},
	{alpha: 1.5, beta: 1, pad: 17},
}

// TestSgemmMatchesReference checks every supported path, shape, transpose
// and alpha/beta/stride variant against the float64 oracle within the
// float32 error bound, and checks that nothing outside C's m×n window
// (stride padding) is written.
func TestSgemmMatchesReference(t *testing.T) {
	for _, sc := range shapeCases {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			name := fmt.Sprintf("%s/%s", sc.name, transName(tr[0], tr[1]))
			t.Run(name, func(t *testing.T) {
				if sc.long && testing.Short() {
					t.Skip("large shape; skipped with -short")
				}
				t.Parallel()
				for vi, v := range scaleCases {
					rng := rand.New(rand.NewPCG(uint64(sc.m*131+sc.n), uint64(sc.k*7+vi)))
					o := newOperands(rng, tr[0], tr[1], sc.m, sc.n, sc.k, v.pad)
					ref := o.naive()
					for _, p := range Paths() {
						c := slices.Clone(o.c)
						Config{Path: p}.Sgemm(o.transA, o.transB, o.m, o.n, o.k, v.alpha, o.a, o.lda, o.b, o.ldb, v.beta, c, o.ldc)
						checkC(t, fmt.Sprintf("%v alpha=%v beta=%v pad=%d", p, v.alpha, v.beta, v.pad), o, ref, v, c)
					}
				}
			})
		}
	}
}

func transName(ta, tb bool) string {
	s := [2]string{"N", "T"}
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	return s[b2i(ta)] + s[b2i(tb)]
}

// checkC compares c against the reference; it reports at most a few
// elements.
func checkC(t *testing.T, what string, o *operands, ref reference, v scaleCase, c []float32) {
	t.Helper()
	nb := (o.k + kcMax - 1) / kcMax
	bad := 0
	for i := 0; i < o.m; i++ {
		for j := 0; j < o.ldc; j++ {
			got, c0 := c[i*o.ldc+j], o.c[i*o.ldc+j]
			if j >= o.n {
				if math.Float32bits(got) != math.Float32bits(c0) {
					t.Errorf("%s: padding C[%d,%d] written: %v", what, i, j, got)
					return
				}
				continue
			}
			want := float64(v.alpha) * ref.sum[i*o.n+j]
			if v.beta != 0 {
				want += float64(v.beta) * float64(c0)
			}
			tol := tolerance(o.k, nb, ref.abs[i*o.n+j], v.alpha, v.beta, c0)
			if d := math.Abs(float64(got) - want); !(d <= tol) {
				t.Errorf("%s: C[%d,%d] = %v, want %v (|diff| %.3g > tol %.3g)", what, i, j, got, want, d, tol)
				if bad++; bad == 5 {
					return
				}
			}
		}
	}
}

// TestSgemmBetaZeroIgnoresC checks that beta = 0 never reads C: a C full
// of NaN is overwritten with finite values.
func TestSgemmBetaZeroIgnoresC(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range Paths() {
		for _, sh := range [][3]int{{5, 7, 3}, {30, 40, 300}, {13, 15, 8}} {
			o := newOperands(rng, false, true, sh[0], sh[1], sh[2], 0)
			c := make([]float32, len(o.c))
			for i := range c {
				c[i] = float32(math.NaN())
			}
			Config{Path: p}.Sgemm(false, true, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, c, o.ldc)
			for i, x := range c {
				if math.IsNaN(float64(x)) {
					t.Fatalf("%v %v: C[%d] is NaN: C was read although beta = 0", p, sh, i)
				}
			}
		}
	}
}

// TestSgemmDegenerate covers k = 0 and alpha = 0 (C = beta·C, or 0 when
// beta = 0 even if A, B or C hold NaN) and empty m or n (nothing written).
func TestSgemmDegenerate(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		name        string
		m, n, k     int
		alpha, beta float32
		a, b, c     []float32
		want        []float32
	}{
		{"k=0 beta=2", 2, 2, 0, 1, 2, nil, nil, []float32{1, 2, 3, 4}, []float32{2, 4, 6, 8}},
		{"k=0 beta=0", 2, 2, 0, 1, 0, nil, nil, []float32{nan, 2, 3, nan}, []float32{0, 0, 0, 0}},
		{"alpha=0 beta=1", 1, 2, 1, 0, 1, []float32{nan}, []float32{1, 1}, []float32{5, 6}, []float32{5, 6}},
		{"alpha=0 beta=0", 1, 2, 1, 0, 0, []float32{nan}, []float32{1, 1}, []float32{nan, 6}, []float32{0, 0}},
		{"m=0", 0, 2, 3, 1, 1, nil, make([]float32, 6), []float32{7}, []float32{7}},
		{"n=0", 2, 0, 3, 1, 1, make([]float32, 6), nil, []float32{7}, []float32{7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, p := range Paths() {
				c := slices.Clone(tc.c)
				Config{Path: p}.Sgemm(false, false, tc.m, tc.n, tc.k, tc.alpha, tc.a, max(1, tc.k), tc.b, max(1, tc.n), tc.beta, c, max(1, tc.n))
				if !slices.Equal(c, tc.want) {
					t.Errorf("%v: C = %v, want %v", p, c, tc.want)
				}
			}
		})
	}
}

// TestSgemmKnownAnswer checks a 2×2 product by hand: exact in float32.
func TestSgemmKnownAnswer(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5, 6}    // 2×3
	b := []float32{7, 8, 9, 10, 11, 12} // 3×2
	for _, p := range Paths() {
		c := []float32{1, 1, 1, 1}
		Config{Path: p}.Sgemm(false, false, 2, 2, 3, 2, a, 3, b, 2, -1, c, 2)
		// A·B = [58 64; 139 154]; 2·A·B − 1.
		if want := []float32{115, 127, 277, 307}; !slices.Equal(c, want) {
			t.Errorf("%v: C = %v, want %v", p, c, want)
		}
	}
}

// TestSgemmPanics checks the programmer-error panics.
func TestSgemmPanics(t *testing.T) {
	a, b, c := make([]float32, 12), make([]float32, 12), make([]float32, 12)
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"negative", func() { Sgemm(false, false, -1, 2, 2, 1, a, 2, b, 2, 0, c, 2) }, errNegative},
		{"lda", func() { Sgemm(false, false, 2, 2, 3, 1, a, 2, b, 2, 0, c, 2) }, errLDA},
		{"lda trans", func() { Sgemm(true, false, 3, 2, 2, 1, a, 2, b, 2, 0, c, 2) }, errLDA},
		{"ldb", func() { Sgemm(false, false, 2, 3, 2, 1, a, 2, b, 2, 0, c, 3) }, errLDB},
		{"ldc", func() { Sgemm(false, false, 2, 3, 2, 1, a, 2, b, 3, 0, c, 2) }, errLDC},
		{"short a", func() { Sgemm(false, false, 7, 1, 2, 1, a, 2, b, 1, 0, c, 1) }, errShortA},
		{"short b", func() { Sgemm(false, true, 1, 7, 2, 1, a, 2, b, 2, 0, c, 7) }, errShortB},
		{"short c", func() { Sgemm(false, false, 2, 2, 2, 1, a, 2, b, 2, 0, c, 11) }, errShortC},
		{"path", func() { Config{Path: Path(99)}.Sgemm(false, false, 1, 1, 1, 1, a, 1, b, 1, 0, c, 1) }, errUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("panic %v, want %q", r, tc.want)
				}
			}()
			tc.f()
		})
	}
}
