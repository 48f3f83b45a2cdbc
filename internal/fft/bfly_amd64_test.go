//go:build !purego

package fft

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernelsAgree checks that the AVX-512 butterflies give the bits of
// the portable ones, for every pass shape of the plans used here
// (batches with a tail that is not a multiple of four included).
func TestKernelsAgree(t *testing.T) {
	if !haveAVX512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(8, 8))
	for _, n := range []int{2, 8, 32, 128, 256} {
		for _, batch := range []int{1, 4, 5, 129} {
			t.Run(fmt.Sprintf("n=%d/batch=%d", n, batch), func(t *testing.T) {
				x := randComplex(rng, n*batch)
				x[0] = complex(math.Copysign(0, -1), math.Inf(1))
				p := NewPlan(n)
				for _, inv := range []bool{false, true} {
					fast := append([]complex128(nil), x...)
					slow := append([]complex128(nil), x...)
					p.transform(fast, batch, inv)
					haveAVX512 = false
					p.transform(slow, batch, inv)
					haveAVX512 = true
					for i := range fast {
						if !sameBits(fast[i], slow[i]) {
							t.Fatalf("inverse %v: [%d] AVX-512 %v, Go %v", inv, i, fast[i], slow[i])
						}
					}
				}
			})
		}
	}
}

func sameBits(a, b complex128) bool {
	same := func(x, y float64) bool {
		return math.Float64bits(x) == math.Float64bits(y) || (math.IsNaN(x) && math.IsNaN(y))
	}
	return same(real(a), real(b)) && same(imag(a), imag(b))
}

// BenchmarkRoundTrip2D times a forward and an inverse N×N transform with
// and without the AVX-512 butterflies.
func BenchmarkRoundTrip2D(b *testing.B) {
	for _, n := range []int{64, 128, 256} {
		a := benchInput(n)
		p := NewPlan2D(n)
		c := make([]complex128, p.SpectrumLen())
		for _, avx := range []bool{true, false} {
			if avx && !haveAVX512 {
				continue
			}
			b.Run(fmt.Sprintf("avx512=%v/n=%d", avx, n), func(b *testing.B) {
				defer func(v bool) { haveAVX512 = v }(haveAVX512)
				haveAVX512 = avx
				b.ReportAllocs()
				for b.Loop() {
					p.Forward(c, a)
					p.Inverse(a, c)
				}
			})
		}
	}
}
