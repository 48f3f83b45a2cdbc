package gemm

import "testing"

// TestMakePlan checks the decomposition's invariants on the arches of
// every path: k blocks cover k with at most kcMax each, row and column
// bands tile C in increasing cuts on tile multiples, and the network's
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
			if pl.pm < 1 || pl.pn < 1 || pl.parts() > maxParts {
				t.Fatalf("%v %v: %d×%d parts", p, sh, pl.pm, pl.pn)
			}
			mr := ar.wide.mr
			if n <= ar.narrow.nr {
				mr = ar.narrow.mr
			}
			checkBands(t, p, sh, "rows", pl.rc[:pl.pm+1], m, mr)
			checkBands(t, p, sh, "columns", pl.cc[:pl.pn+1], n, ar.wide.nr)
		}
	}
	// The shapes that matter, on the best path.
	ar := archFor(PathAuto)
	for _, tc := range []struct{ m, n, k, pm, pn int }{
		{8, 8, 8, 1, 1},
		{256, 256, 256, 1, 2},
		{256, 256, 15616, 1, 2},
		{1024, 256, 256, 2, 1},
		{15616, 256, 256, 8, 1},
		{15616, 15, 256, 8, 1},
	} {
		if ar.path == PathGeneric {
			break
		}
		if pl := makePlan(ar, tc.m, tc.n, tc.k); pl.pm != tc.pm || pl.pn != tc.pn {
			t.Errorf("%v %dx%dx%d: %d×%d parts, want %d×%d", ar.path, tc.m, tc.n, tc.k, pl.pm, pl.pn, tc.pm, tc.pn)
		}
	}
}

func checkBands(t *testing.T, p Path, sh [3]int, what string, cuts []int, size, unit int) {
	t.Helper()
	if cuts[0] != 0 || cuts[len(cuts)-1] != size {
		t.Errorf("%v %v: %s cuts %v do not span 0..%d", p, sh, what, cuts, size)
	}
	for i := 1; i < len(cuts); i++ {
		if cuts[i] <= cuts[i-1] || (i < len(cuts)-1 && cuts[i]%unit != 0) {
			t.Errorf("%v %v: bad %s cuts %v (unit %d)", p, sh, what, cuts, unit)
		}
	}
}
