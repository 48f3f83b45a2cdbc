//go:build !purego

package kolmogorov

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFluxRowKernelsAgree checks that the AVX-512 kernel gives the bits of
// the portable one, on random rows with the limiter's edge cases planted:
// zero and NaN velocities, flat stretches (d = 0), e + d = 0.
func TestFluxRowKernelsAgree(t *testing.T) {
	if !haveAVX512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(9, 9))
	n := 64
	rows := make([][]float64, 5)
	for k := range rows {
		rows[k] = make([]float64, n)
		for j := range rows[k] {
			rows[k][j] = rng.NormFloat64()
		}
	}
	cm, c0, c1, c2, a := rows[0], rows[1], rows[2], rows[3], rows[4]
	a[0], a[1], a[2] = 0, math.Copysign(0, -1), math.NaN()
	c1[3], c1[4] = c0[3], c0[4]               // d = 0
	c0[5], cm[5] = c0[5]+(c1[5]-c0[5]), c0[5] // e = d, positive side
	c2[6], a[6] = c1[6]-(c1[6]-c0[6]), -1     // e = −d: e + d = 0, a ≤ 0
	want, got := make([]float64, n), make([]float64, n)
	fluxRowGo(want, cm, c0, c1, c2, a, 0.37)
	fluxRow(got, cm, c0, c1, c2, a, 0.37)
	for j := range n {
		if math.Float64bits(got[j]) != math.Float64bits(want[j]) && !(math.IsNaN(got[j]) && math.IsNaN(want[j])) {
			t.Errorf("face %d: AVX-512 %v, Go %v", j, got[j], want[j])
		}
	}
	// A whole simulation is bit-identical with and without the kernel.
	c := testConfig(32, 1000)
	run := func() []float64 {
		s, err := NewSolver(c)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float64, 2*32*32)
		s.InitialField(x, rand.New(rand.NewPCG(1, 1)))
		for range 3 {
			s.Advance(x)
		}
		return x
	}
	fast := run()
	haveAVX512 = false
	slow := run()
	haveAVX512 = true
	if !slices.Equal(fast, slow) {
		t.Error("simulations with and without AVX-512 differ")
	}
}
