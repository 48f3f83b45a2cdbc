package dynamics

import (
	"errors"
	"math"
	"runtime"
	"testing"
)

// TestGenerateContract rebuilds trajectories by hand from the documented
// recipe (stream NewStream(seed, n): prior draw, burnIn transitions, then
// length stored transitions) and requires identical values.
func TestGenerateContract(t *testing.T) {
	t.Parallel()
	l := NewLorenz63()
	const nTraj, burnIn, length, seed = 70, 5, 4, 11
	got, err := Generate(l, nTraj, burnIn, length, seed)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != nTraj*length*3 {
		t.Fatalf("len = %d, want %d", len(got), nTraj*length*3)
	}
	ch := NewChain(l)
	for _, n := range []int{0, 1, 63, 64, 69} {
		rng := NewStream(seed, uint64(n))
		x := make([]float64, 3)
		l.SamplePrior(x, rng)
		for range burnIn {
			ch.Transition(x, x, rng)
		}
		want := make([]float64, length*3)
		ch.Trajectory(want, x, rng)
		for i, w := range want {
			if g := got[n*length*3+i]; g != w {
				t.Fatalf("trajectory %d, element %d: %v, want %v", n, i, g, w)
			}
		}
	}
}

// TestGenerateDeterministic requires identical bytes at GOMAXPROCS 1 and 2,
// and that a smaller run is a prefix of a larger one (per-trajectory streams).
func TestGenerateDeterministic(t *testing.T) {
	l := NewLorenz63()
	const nTraj, burnIn, length, seed = 200, 16, 32, 3
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	one, err := Generate(l, nTraj, burnIn, length, seed)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GOMAXPROCS(2)
	two, err := Generate(l, nTraj, burnIn, length, seed)
	if err != nil {
		t.Fatal(err)
	}
	for i := range one {
		if math.Float64bits(one[i]) != math.Float64bits(two[i]) {
			t.Fatalf("element %d differs between GOMAXPROCS 1 and 2: %v vs %v", i, one[i], two[i])
		}
	}
	part, err := Generate(l, 65, burnIn, length, seed)
	if err != nil {
		t.Fatal(err)
	}
	for i := range part {
		if part[i] != one[i] {
			t.Fatalf("element %d of a 65-trajectory run differs from the 200-trajectory run", i)
		}
	}
	other, err := Generate(l, 1, burnIn, length, seed+1)
	if err != nil {
		t.Fatal(err)
	}
	if other[0] == one[0] {
		t.Fatal("seeds 3 and 4 gave the same first value")
	}
}

// TestGenerateStandardizedMoments checks that the method notes' standardisation
// makes the generated data roughly unit-scale per coordinate. The method notes'
// constants are rounded attractor statistics: a and b have mean 0 by the
// attractor's symmetry (a, b) → (−a, −b), while c's mean sits near 23.6,
// below the constant 25, i.e. about −0.16 after standardising; scales are
// within a few percent. Bounds: |mean| ≤ 0.05 for a, b; −0.25 ≤ mean ≤ −0.05
// for c; |std − 1| ≤ 0.05 — a scale off by one coordinate (8 vs 9) moves
// std by ≥ 11%.
func TestGenerateStandardizedMoments(t *testing.T) {
	t.Parallel()
	nTraj, length := 1024, 1024
	if testing.Short() {
		nTraj = 256
	}
	l := NewLorenz63()
	data, err := Generate(l, nTraj, 1024, length, 1)
	if err != nil {
		t.Fatal(err)
	}
	l.Standardize(data, data)
	var s, ss [3]float64
	for i := 0; i < len(data); i += 3 {
		for d := range 3 {
			s[d] += data[i+d]
			ss[d] += data[i+d] * data[i+d]
		}
	}
	n := float64(len(data) / 3)
	lo := [3]float64{-0.05, -0.05, -0.25}
	hi := [3]float64{0.05, 0.05, -0.05}
	for d := range 3 {
		m := s[d] / n
		sd := math.Sqrt(ss[d]/n - m*m)
		if m < lo[d] || m > hi[d] {
			t.Errorf("coordinate %d: standardised mean %.4f, want within [%v, %v]", d, m, lo[d], hi[d])
		}
		if math.Abs(sd-1) > 0.05 {
			t.Errorf("coordinate %d: standardised std %.4f, want 1 ± 0.05", d, sd)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		modify                func(*Lorenz63)
		nTraj, burnIn, length int
		want                  error
	}{
		{"no trajectories", nil, 0, 1, 1, ErrSize},
		{"zero length", nil, 1, 1, 0, ErrSize},
		{"negative burn-in", nil, 1, -1, 1, ErrSize},
		{"bad params", func(l *Lorenz63) { l.Q = 0 }, 1, 1, 1, ErrParams},
		// Δ = 1 is far beyond RK4's stability region for Lorenz 63: it overflows.
		{"diverging", func(l *Lorenz63) { l.Dt = 1 }, 3, 100, 10, ErrNonFinite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := NewLorenz63()
			if tc.modify != nil {
				tc.modify(l)
			}
			out, err := Generate(l, tc.nTraj, tc.burnIn, tc.length, 1)
			if !errors.Is(err, tc.want) || out != nil {
				t.Fatalf("Generate = (len %d, %v), want (nil, %v)", len(out), err, tc.want)
			}
			if nf, ok := errors.AsType[*NonFiniteError](err); ok && (nf.Trajectory != 0 || nf.Step < 1 || nf.Step > 100) {
				t.Fatalf("NonFiniteError = %+v, want trajectory 0 within the burn-in", nf)
			}
		})
	}
}

func TestSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n, train, valid, test int
	}{
		{1024, 819, 102, 103}, // docs/method.md §1.1
		{10, 8, 1, 1},
		{19, 15, 2, 2},
		{1, 0, 0, 1},
		{0, 0, 0, 0},
	}
	for _, tc := range tests {
		tr, va, te := Split(tc.n)
		if tr != tc.train || va != tc.valid || te != tc.test {
			t.Errorf("Split(%d) = %d, %d, %d, want %d, %d, %d", tc.n, tr, va, te, tc.train, tc.valid, tc.test)
		}
	}
	// The reference computes int(0.8·n) and int(0.9·n) in float64.
	for n := range 100_000 {
		tr, va, te := Split(n)
		i, j := int(0.8*float64(n)), int(0.9*float64(n))
		if tr != i || va != j-i || te != n-j {
			t.Fatalf("Split(%d) = %d, %d, %d, want %d, %d, %d", n, tr, va, te, i, j-i, n-j)
		}
	}
}
