package dynamics

import "math/rand/v2"

// golden is 2⁶⁴/φ, the SplitMix64 increment.
const golden = 0x9e3779b97f4a7c15

// splitmix64 is the SplitMix64 output function (Steele, Lea & Flood 2014)
// applied to z + golden: a bijection of uint64 with good avalanche.
func splitmix64(z uint64) uint64 {
	z += golden
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// StreamSeeds derives the two seed words of an independent PCG stream
// from a seed and a path of keys (a trajectory index; a phase and a chunk
// index), by chaining SplitMix64:
//
//	h ← splitmix64(seed)
//	h ← splitmix64(h ⊕ k)            for each key k in order
//	s1, s2 = h, splitmix64(h ⊕ golden)
//
// where splitmix64(z) is the SplitMix64 finaliser of z + golden and
// golden = 0x9e3779b97f4a7c15. The derivation is part of every output's
// definition: changing it changes generated data bit for bit.
func StreamSeeds(seed uint64, keys ...uint64) (s1, s2 uint64) {
	h := splitmix64(seed)
	for _, k := range keys {
		h = splitmix64(h ^ k)
	}
	return h, splitmix64(h ^ golden)
}

// NewStream returns a generator on the PCG stream StreamSeeds(seed, keys...).
func NewStream(seed uint64, keys ...uint64) *rand.Rand {
	s1, s2 := StreamSeeds(seed, keys...)
	return rand.New(rand.NewPCG(s1, s2))
}
