package gemm

import "testing"

// TestMakePlan checks the decomposition's invariants on the arches of
// every path: k blocks cover k with at most kcMax each, parts tile the
// split dimension in increasing cuts on tile multiples, and the network's
// shapes split as intended.
func TestMakePlan(t *testing.T) {
	shapes := [][3]int{{1, 1, 1}, {256, 256, 256}, {15616, 256, 256}, {15616, 15, 256}, {256, 256, 15616}, {1024, 256, 256}, {47, 256, 1024}, {700, 300, 600}, {3000, 40, 9}, {25, 1100, 300}}
	for _, p := range Paths() {
		ar := archFor(p)
		for _, sh := range shapes {
			m, n, k := sh[0], sh[1], sh[2]
			pl := makePlan(ar, m, n, k)
			if pl.kc < 1 || pl.kc > kcMax || (k+pl.kc-1)/pl.kc != (k+kcMax-1)/kcMax {
				t.Errorf("%v %v: kc = %d for k = %d", p, sh, pl.kc, k)
			}
			if pl.parts < 1 || pl.parts > maxParts {
				t.Fatalf("%v %v: %d parts", p, sh, pl.parts)
			}
			if pl.parts == 1 {
				continue
			}
			size, unit := n, ar.wide.nr
			if pl.splitM {
				size, unit = m, ar.wide.mr
				if n <= ar.narrow.nr {
					unit = ar.narrow.mr
				}
			}
			if pl.cuts[0] != 0 || pl.cuts[pl.parts] != size {
				t.Errorf("%v %v: cuts %v do not span 0..%d", p, sh, pl.cuts[:pl.parts+1], size)
			}
			for i := 1; i <= pl.parts; i++ {
				if pl.cuts[i] <= pl.cuts[i-1] || (i < pl.parts && pl.cuts[i]%unit != 0) {
					t.Errorf("%v %v: bad cuts %v (unit %d)", p, sh, pl.cuts[:pl.parts+1], unit)
				}
			}
		}
	}
	// The shapes that matter, on the best path.
	ar := archFor(PathAuto)
	for _, tc := range []struct {
		m, n, k, parts int
		splitM         bool
	}{
		{8, 8, 8, 1, false},
		{256, 256, 256, 2, false},
		{256, 256, 15616, 2, false},
		{1024, 256, 256, 2, true},
		{15616, 256, 256, 8, true},
		{15616, 15, 256, 8, true},
	} {
		if ar.path == PathGeneric {
			break
		}
		pl := makePlan(ar, tc.m, tc.n, tc.k)
		if pl.parts != tc.parts || (pl.parts > 1 && pl.splitM != tc.splitM) {
			t.Errorf("%v %dx%dx%d: %d parts, splitM %v; want %d, %v", ar.path, tc.m, tc.n, tc.k, pl.parts, pl.splitM, tc.parts, tc.splitM)
		}
	}
}
