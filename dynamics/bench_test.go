package dynamics

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkGenerate simulates the method notes' dataset: 1024 trajectories of
// 1024 burn-in and 1024 stored transitions (the PyTorch reference: 1.4 s).
func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{64, 1024} {
		b.Run(fmt.Sprintf("traj=%d", n), func(b *testing.B) {
			l := NewLorenz63()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Generate(l, n, 1024, 1024, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLorenz63Map(b *testing.B) {
	st := NewLorenz63().NewStepper()
	x := []float64{1, 2, 20}
	b.ReportAllocs()
	for b.Loop() {
		st.Map(x, x)
	}
}

func BenchmarkTransition(b *testing.B) {
	ch := NewChain(NewLorenz63())
	rng := rand.New(rand.NewPCG(1, 2))
	x := []float64{1, 2, 20}
	b.ReportAllocs()
	for b.Loop() {
		ch.Transition(x, x, rng)
	}
}

func BenchmarkNormFloat64(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var s float64
	for b.Loop() {
		s += rng.NormFloat64()
	}
	_ = s
}
