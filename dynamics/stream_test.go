package dynamics

import "testing"

// TestSplitMix64KnownAnswer compares with the first outputs of the
// SplitMix64 generator seeded with 0 (Vigna's reference splitmix64.c:
// 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f), which are
// splitmix64 of 0, golden and 2·golden here.
func TestSplitMix64KnownAnswer(t *testing.T) {
	t.Parallel()
	want := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	for i, w := range want {
		if got := splitmix64(uint64(i) * golden); got != w {
			t.Errorf("splitmix64(%d·golden) = %#x, want %#x", i, got, w)
		}
	}
}

// TestStreamSeedsDistinct checks that nearby seeds and key paths, the
// ones Generate and the filters use side by side, give distinct streams.
func TestStreamSeedsDistinct(t *testing.T) {
	t.Parallel()
	seen := map[[2]uint64]string{}
	add := func(name string, s1, s2 uint64) {
		if prev, ok := seen[[2]uint64{s1, s2}]; ok {
			t.Fatalf("%s and %s share a stream", prev, name)
		}
		seen[[2]uint64{s1, s2}] = name
	}
	for seed := uint64(0); seed < 4; seed++ {
		s1, s2 := StreamSeeds(seed)
		add("seed only", s1, s2)
		for k := uint64(0); k < 64; k++ {
			s1, s2 := StreamSeeds(seed, k)
			add("one key", s1, s2)
			for k2 := uint64(0); k2 < 8; k2++ {
				s1, s2 := StreamSeeds(seed, k, k2)
				add("two keys", s1, s2)
			}
		}
	}
	a, b := NewStream(5, 1, 2).Uint64(), NewStream(5, 1, 2).Uint64()
	if a != b {
		t.Fatalf("NewStream is not reproducible: %#x != %#x", a, b)
	}
}
