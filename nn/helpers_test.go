package nn

import "math/rand/v2"

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(7, 11)) }

func randVec(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

func randLinear(rng *rand.Rand, name string, in, out int) *Linear {
	l := NewLinear(name, in, out)
	l.Init(rng)
	return l
}
