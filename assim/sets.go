package assim

import (
	"math/rand/v2"

	"sdapipe/dynamics"
	"sdapipe/internal/chunks"
)

// RunSets calls fn for every observation set 0 … n−1 on a pool of
// goroutines, one set per chunk, and returns the error of the
// lowest-numbered set that failed. Set s draws from its own stream,
// dynamics.NewStream(seed, s), whatever goroutine runs it, so the results
// are bit-identical at any GOMAXPROCS as long as fn writes only its set's
// memory. Windows of one set are small (at most a few milliseconds), so
// sets, not members, are the unit of parallel work.
func RunSets(n int, seed uint64, fn func(set int, rng *rand.Rand) error) error {
	return chunks.Run(n, func() func(int) error {
		src := rand.NewPCG(0, 0)
		rng := rand.New(src)
		return func(s int) error {
			src.Seed(dynamics.StreamSeeds(seed, uint64(s)))
			return fn(s, rng)
		}
	})
}
