package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// u is the unit roundoff of float32.
const u = 1.0 / (1 << 24)

// within reports whether got is within the error bound of a float32 sum
// of k terms computed with one rounding per term: (k+2)·u·Σ|terms| (Higham,
// "Accuracy and Stability of Numerical Algorithms", §3.1), plus the
// rounding of the float64 reference to float32.
func within(got float32, want, mag float64, k int) bool {
	return math.Abs(float64(got)-want) <= float64(k+3)*u*mag+1e-30
}

var testGeoms = []geom{
	{2, 4, 6, 3, 5, 1},
	{2, 6, 4, 11, 40, 1},
	{1, 8, 8, 32, 10, 1},
	{2, 5, 7, 16, 33, 1},
	{2, 4, 6, 3, 5, 2},
	{2, 8, 4, 11, 40, 2},
	{1, 8, 8, 40, 17, 2},
	{1, 16, 16, 64, 64, 1},
	{1, 16, 16, 64, 64, 2},
	{2, 6, 10, 20, 40, 1},
	{1, 4, 4, 33, 16, 1},
	{1, 12, 8, 16, 24, 1},
	{2, 2, 2, 16, 20, 1},
	{1, 6, 2, 17, 16, 1},
}

func TestConvMatchesReference(t *testing.T) {
	t.Parallel()
	for _, p := range Paths() {
		for _, g := range testGeoms {
			for _, direct := range []bool{false, true} {
				if direct && !(g.s == 1 && min(g.cin, g.cout) >= minWino) {
					continue // only the direct method runs
				}
				if testing.Short() && g.n*g.h*g.w*g.cin*g.cout > 100000 {
					continue // the 16×16×64 cases take seconds under -race
				}
				t.Run(fmt.Sprintf("%v/direct=%v/%+v", p, direct, g), func(t *testing.T) {
					t.Parallel()
					rng := rand.New(rand.NewPCG(uint64(g.h), uint64(g.cin)))
					x := randVec(rng, g.n*g.h*g.w*g.cin)
					wt := randVec(rng, g.cout*g.cin*9)
					b := randVec(rng, g.cout)
					dy := randVec(rng, g.n*g.ho()*g.wo()*g.cout)
					f := NewFilter(g.cin, g.cout, g.s, Config{Path: p, Direct: direct})
					f.Pack(wt, g.h, g.w)
					f.PackBackward(wt, g.h, g.w)
					var sc Scratch
					want, mag := refForward(g, x, wt, b)
					y := make([]float32, len(want))
					for i := range y {
						y[i] = float32(math.NaN()) // not read without acc
					}
					f.Forward(&sc, y, x, b, g.n, g.h, g.w, false)
					for i := range y {
						if !within(y[i], want[i], mag[i], 9*g.cin+1) {
							t.Fatalf("y[%d] = %g, want %g (mag %g)", i, y[i], want[i], mag[i])
						}
					}
					// acc adds the convolution (without bias) to y.
					f.Forward(&sc, y, x, nil, g.n, g.h, g.w, true)
					want2, _ := refForward(g, x, wt, nil)
					for i := range y {
						if !within(y[i], want[i]+want2[i], 2*mag[i], 9*g.cin+2) {
							t.Fatalf("acc: y[%d] = %g, want %g", i, y[i], want[i]+want2[i])
						}
					}
					rdx, rdxMag, rdw, rdwMag := refBackward(g, x, wt, dy)
					dx := make([]float32, len(x))
					for i := range dx {
						dx[i] = float32(math.NaN())
					}
					f.BackwardData(&sc, dx, dy, g.n, g.h, g.w, false)
					for i := range dx {
						if !within(dx[i], rdx[i], rdxMag[i], 9*g.cout) {
							t.Fatalf("dx[%d] = %g, want %g (mag %g)", i, dx[i], rdx[i], rdxMag[i])
						}
					}
					f.BackwardData(&sc, dx, dy, g.n, g.h, g.w, true)
					for i := range dx {
						if !within(dx[i], 2*rdx[i], 2*rdxMag[i], 9*g.cout+1) {
							t.Fatalf("acc: dx[%d] = %g, want %g", i, dx[i], 2*rdx[i])
						}
					}
					dw := make([]float32, len(wt))
					copy(dw, wt) // BackwardWeights adds
					f.BackwardWeights(&sc, dw, x, dy, g.n, g.h, g.w)
					pix := g.n * g.ho() * g.wo()
					for i := range dw {
						if !within(dw[i], float64(wt[i])+rdw[i], math.Abs(float64(wt[i]))+rdwMag[i], pix+pix/8+2) {
							t.Fatalf("dw[%d] = %g, want %g (mag %g)", i, dw[i], float64(wt[i])+rdw[i], rdwMag[i])
						}
					}
				})
			}
		}
	}
}
