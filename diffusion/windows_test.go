package diffusion

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// encodedData returns (nTraj, length, dim) data whose value encodes its
// position: 10000·trajectory + 10·state + variable (exact in float32).
func encodedData(nTraj, length, dim int) []float32 {
	data := make([]float32, nTraj*length*dim)
	for i := range data {
		tr, s, v := i/(length*dim), i/dim%length, i%dim
		data[i] = float32(10000*tr + 10*s + v)
	}
	return data
}

// TestSampleWindows checks that every window is a contiguous run of
// consecutive states of one trajectory, and that the (trajectory, offset)
// pairs are uniform: a chi-square statistic over all pairs stays below its
// mean plus 6 standard deviations.
func TestSampleWindows(t *testing.T) {
	t.Parallel()
	const nTraj, length, dim, window = 5, 20, 3, 5
	data := encodedData(nTraj, length, dim)
	offsets := length - window + 1
	cells := nTraj * offsets
	const draws = 80000
	dst := make([]float32, draws*window*dim)
	rng := rand.New(rand.NewPCG(5, 6))
	if err := SampleWindows(dst, data, nTraj, length, dim, window, rng); err != nil {
		t.Fatal(err)
	}
	counts := make([]int, cells)
	f := window * dim
	for b := range draws {
		w := dst[b*f : (b+1)*f]
		tr, off := int(w[0])/10000, int(w[0])%10000/10
		if off > length-window || tr >= nTraj {
			t.Fatalf("window %d starts at trajectory %d offset %d: out of range", b, tr, off)
		}
		for i, v := range w {
			if want := float32(10000*tr + 10*(off+i/dim) + i%dim); v != want {
				t.Fatalf("window %d value %d = %v, want %v (not contiguous)", b, i, v, want)
			}
		}
		counts[tr*offsets+off]++
	}
	exp := float64(draws) / float64(cells)
	var chi2 float64
	for c, got := range counts {
		if got == 0 {
			t.Errorf("cell %d never drawn", c)
		}
		d := float64(got) - exp
		chi2 += d * d / exp
	}
	df := float64(cells - 1) // chi-square mean df, variance 2·df
	if bound := df + 6*math.Sqrt(2*df); chi2 > bound {
		t.Errorf("chi-square = %.1f over %d cells, bound %.1f: not uniform", chi2, cells, bound)
	}

	// Deterministic from the rng state.
	again := make([]float32, len(dst))
	if err := SampleWindows(again, data, nTraj, length, dim, window, rand.New(rand.NewPCG(5, 6))); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again, dst) {
		t.Error("same seed gave different windows")
	}
}

func TestSampleWindowsErrors(t *testing.T) {
	data := encodedData(2, 4, 3)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, window := range []int{0, 5} {
		if err := SampleWindows(make([]float32, 3*window), data, 2, 4, 3, window, rng); !errors.Is(err, ErrInvalid) {
			t.Errorf("window %d: error %v, want ErrInvalid", window, err)
		}
	}
	// A window as long as the trajectory has one offset: the whole trajectory.
	dst := make([]float32, 12)
	if err := SampleWindows(dst, data, 2, 4, 3, 4, rng); err != nil {
		t.Fatal(err)
	}
	if dst[0] != 0 && dst[0] != 10000 || dst[11] != dst[0]+32 {
		t.Errorf("full-length window = %v", dst)
	}
}

// TestPerturb checks x(t) = μ(t)x + σ(t)ε row by row, t ∈ [0, 1), the
// moments of t and ε, and determinism.
func TestPerturb(t *testing.T) {
	t.Parallel()
	const rows, f = 4096, 15
	sched := VPCosine{}
	rng := rand.New(rand.NewPCG(8, 9))
	x := make([]float32, rows*f)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	xt, eps, ts := make([]float32, len(x)), make([]float32, len(x)), make([]float32, rows)
	Perturb(xt, eps, x, ts, f, sched, rand.New(rand.NewPCG(1, 2)))
	var tSum, eSum, eSq float64
	for r := range rows {
		tt := ts[r]
		if tt < 0 || tt > 1 {
			t.Fatalf("t[%d] = %v outside [0, 1]", r, tt)
		}
		tSum += float64(tt)
		mu, sigma := float32(sched.Mu(float64(tt))), float32(sched.Sigma(float64(tt)))
		for i := r * f; i < (r+1)*f; i++ {
			if want := mu*x[i] + sigma*eps[i]; xt[i] != want {
				t.Fatalf("xt[%d] = %v, want μx + σε = %v", i, xt[i], want)
			}
			eSum += float64(eps[i])
			eSq += float64(eps[i]) * float64(eps[i])
		}
	}
	// Means of n uniforms / normals: 5 standard errors.
	if m, se := tSum/rows, math.Sqrt(1.0/12/rows); math.Abs(m-0.5) > 5*se {
		t.Errorf("mean t = %.4f, want 0.5 ± %.4f", m, 5*se)
	}
	ne := float64(rows * f)
	if m := eSum / ne; math.Abs(m) > 5/math.Sqrt(ne) {
		t.Errorf("mean ε = %.4f, want 0 ± %.4f", m, 5/math.Sqrt(ne))
	}
	if v := eSq / ne; math.Abs(v-1) > 5*math.Sqrt(2/ne) {
		t.Errorf("mean ε² = %.4f, want 1 ± %.4f", v, 5*math.Sqrt(2/ne))
	}
	xt2, eps2, ts2 := make([]float32, len(x)), make([]float32, len(x)), make([]float32, rows)
	Perturb(xt2, eps2, x, ts2, f, sched, rand.New(rand.NewPCG(1, 2)))
	if !slices.Equal(xt, xt2) || !slices.Equal(eps, eps2) || !slices.Equal(ts, ts2) {
		t.Error("same seed gave different perturbations")
	}
}

func TestWindowsNoAlloc(t *testing.T) {
	data := encodedData(4, 30, 3)
	rng := rand.New(rand.NewPCG(3, 3))
	x := make([]float32, 64*15)
	xt, eps, ts := make([]float32, len(x)), make([]float32, len(x)), make([]float32, 64)
	sched := VPCosine{}
	if a := testing.AllocsPerRun(20, func() {
		_ = SampleWindows(x, data, 4, 30, 3, 5, rng)
		Perturb(xt, eps, x, ts, 15, sched, rng)
	}); a != 0 {
		t.Errorf("SampleWindows+Perturb allocated %v times per call, want 0", a)
	}
}
