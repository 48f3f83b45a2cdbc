package nn

import "math/rand/v2"

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(7, 11)) }

func randLinear(rng *rand.Rand, name string, in, out int) *Linear {
	l := NewLinear(name, in, out)
	l.Init(rng)
	return l
}
