package assim

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// linScenarios are the linear-Gaussian windows of the Kalman comparisons.
var linScenarios = []struct {
	name   string
	length int
	h      *Linear
	times  []int
	r      []float64
}{
	{"x0 every 2nd state", 12, NewLinear([]float64{1, 0}, 1, 2), []int{0, 2, 4, 6, 8, 10}, []float64{0.5}},
	{"both, diagonal R, every 3rd", 10, Identity(2), []int{1, 4, 7, 9}, []float64{0.3, 0.8}},
	{"a mix, sparse", 9, NewLinear([]float64{1, 1, 0.5, -1}, 2, 2), []int{3, 8}, []float64{0.2, 0.4}},
}

// TestEnsembleKalmanMatchesKalman compares, on linear-Gaussian windows,
// the EnKF's ensembles with the Kalman filter's marginals and the EnKS's
// with the RTS smoother's, for both updates, at every state and
// coordinate.
//
// Monte Carlo bounds for N = 20 000 members (5 000 with -short): a mean of N draws from a
// distribution of variance v has standard error √(v/N); the ensemble
// estimates also carry the sampling errors of the gains and of the
// forecast noise through the window, which scale the error by a factor of
// order one (up to ~2 here: the worst of the 24 compared means per window
// lies 2–5 of these standard errors out). We require
// |mean − m| ≤ 8·√(v/N) and, for the variances, |var − v| ≤ 8·v·√(2/N)
// (the standard error of a Gaussian sample variance) plus the O(1/N) bias
// of finite ensembles, 3·v/N. A 1 % error in a gain or a variance fails.
func TestEnsembleKalmanMatchesKalman(t *testing.T) {
	t.Parallel()
	n := 20000
	if testing.Short() {
		n = 5000
	}
	for si, sc := range linScenarios {
		for _, u := range []Update{PertObs, Sqrt} {
			t.Run(sc.name+"/"+u.String(), func(t *testing.T) {
				t.Parallel()
				g := newLinModel()
				obs := simulateLin(g, sc.length, sc.h, sc.times, sc.r, rand.New(rand.NewPCG(uint64(si), 1)))
				ref := kalmanRTS(g, sc.length, obs, sc.h)
				rng := rand.New(rand.NewPCG(uint64(si), 2))
				x0 := make([]float64, 2*n)
				PriorEnsemble(x0, g, 0, rng)
				var worstM, worstV float64
				defer func() { t.Logf("worst errors in standard errors: mean %.2f, variance %.2f", worstM, worstV) }()
				for _, smooth := range []bool{false, true} {
					dst := make([]float64, n*sc.length*2)
					run, mean, cov := EnKF, ref.filtMean, ref.filtCov
					if smooth {
						run, mean, cov = EnKS, ref.smoothMean, ref.smoothCov
					}
					if err := run(dst, g, x0, obs, EnKFConfig{Update: u}, rng); err != nil {
						t.Fatal(err)
					}
					for tt := range sc.length {
						em, ec := ensembleMoments(dst, n, sc.length, tt)
						for d := range 2 {
							v := cov[tt].At(d, d)
							worstM = math.Max(worstM, math.Abs(em[d]-mean[tt].AtVec(d))/math.Sqrt(v/float64(n)))
							worstV = math.Max(worstV, math.Abs(ec[d][d]-v)/(v*math.Sqrt(2.0/float64(n))))
							if e := math.Abs(em[d] - mean[tt].AtVec(d)); e > 8*math.Sqrt(v/float64(n)) {
								t.Errorf("smooth %v, state %d, coordinate %d: mean %.5f, Kalman %.5f (%.1f standard errors)",
									smooth, tt, d, em[d], mean[tt].AtVec(d), e/math.Sqrt(v/float64(n)))
							}
							if e := math.Abs(ec[d][d] - v); e > 8*v*math.Sqrt(2.0/float64(n))+3*v/float64(n) {
								t.Errorf("smooth %v, state %d, coordinate %d: variance %.5f, Kalman %.5f (%.1f standard errors)",
									smooth, tt, d, ec[d][d], v, e/(v*math.Sqrt(2.0/float64(n))))
							}
						}
					}
				}
			})
		}
	}
}

// TestEnKSLastStateIsEnKF: the smoother's last state has seen the same
// analyses as the filter's, so with the same draws it is the filter's
// ensemble (the paths differ only before it). Differences are rounding:
// the smoother centres wider blocks (its block means differ in the last
// bits).
func TestEnKSLastStateIsEnKF(t *testing.T) {
	t.Parallel()
	g := newLinModel()
	sc := linScenarios[0]
	obs := simulateLin(g, sc.length, sc.h, sc.times, sc.r, rand.New(rand.NewPCG(7, 1)))
	const n = 50
	x0 := make([]float64, 2*n)
	PriorEnsemble(x0, g, 0, rand.New(rand.NewPCG(7, 2)))
	f, s := make([]float64, n*sc.length*2), make([]float64, n*sc.length*2)
	for _, u := range []Update{PertObs, Sqrt} {
		if err := EnKF(f, g, x0, obs, EnKFConfig{Update: u, Inflation: 1.1}, rand.New(rand.NewPCG(7, 3))); err != nil {
			t.Fatal(err)
		}
		if err := EnKS(s, g, x0, obs, EnKFConfig{Update: u, Inflation: 1.1}, rand.New(rand.NewPCG(7, 3))); err != nil {
			t.Fatal(err)
		}
		last := (sc.length - 1) * 2
		for i := range n {
			for d := range 2 {
				a, b := f[i*sc.length*2+last+d], s[i*sc.length*2+last+d]
				if math.Abs(a-b) > 1e-12*(1+math.Abs(a)) {
					t.Fatalf("%v: member %d, coordinate %d: EnKF %.17g, EnKS %.17g", u, i, d, a, b)
				}
			}
		}
	}
}

// TestETKFRotationPreservesMean: a rotation Ω with Ω·1 = 1 leaves the
// ensemble mean and sample covariance unchanged and is orthogonal, while
// it does move the members.
func TestETKFRotationPreservesMean(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2, 3, 10, 64} {
		rng := rand.New(rand.NewPCG(uint64(n), 9))
		const d = 3
		e := make([]float64, n*d)
		for i := range e {
			e[i] = 10*float64(i%d) + rng.NormFloat64()
		}
		before := append([]float64(nil), e...)
		rot := newRotation(n, d)
		rot.draw(rng)
		// ΩᵀΩ = I and Ω·1 = 1.
		for i := range n {
			var row float64
			for j := range n {
				var s float64
				for k := range n {
					s += rot.omega[k*n+i] * rot.omega[k*n+j]
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(s-want) > 1e-12 {
					t.Fatalf("N=%d: (ΩᵀΩ)[%d][%d] = %v", n, i, j, s)
				}
				row += rot.omega[i*n+j]
			}
			if math.Abs(row-1) > 1e-12 {
				t.Fatalf("N=%d: row %d of Ω sums to %v, want 1", n, i, row)
			}
		}
		rot.apply(e, d, 0, d)
		m0, m1 := make([]float64, d), make([]float64, d)
		blockMean(m0, before, n, d, 0)
		blockMean(m1, e, n, d, 0)
		moved := 0.0
		for k := range d {
			// Sums of N values of size ~20: rounding ~1e-14.
			if math.Abs(m0[k]-m1[k]) > 1e-12 {
				t.Fatalf("N=%d: mean %v became %v", n, m0, m1)
			}
		}
		c0, c1 := covOf(before, n, d), covOf(e, n, d)
		for k := range c0 {
			if math.Abs(c0[k]-c1[k]) > 1e-10 {
				t.Fatalf("N=%d: covariance %v became %v", n, c0, c1)
			}
		}
		for i := range e {
			moved = math.Max(moved, math.Abs(e[i]-before[i]))
		}
		if n > 2 && moved < 1e-3 {
			t.Fatalf("N=%d: the rotation left the members in place", n)
		}
	}
}

func covOf(e []float64, n, d int) []float64 {
	m := make([]float64, d)
	blockMean(m, e, n, d, 0)
	c := make([]float64, d*d)
	for i := range n {
		for a := range d {
			for b := range d {
				c[a*d+b] += (e[i*d+a] - m[a]) * (e[i*d+b] - m[b]) / float64(n-1)
			}
		}
	}
	return c
}

// TestInflation: the mean stays, the covariance grows by α².
func TestInflation(t *testing.T) {
	t.Parallel()
	const n, d, alpha = 40, 3, 1.3
	rng := rand.New(rand.NewPCG(4, 4))
	e := make([]float64, n*d)
	for i := range e {
		e[i] = 5 + rng.NormFloat64()
	}
	c0 := covOf(e, n, d)
	m0 := make([]float64, d)
	blockMean(m0, e, n, d, 0)
	inflate(e, n, d, 0, alpha, make([]float64, d))
	c1 := covOf(e, n, d)
	m1 := make([]float64, d)
	blockMean(m1, e, n, d, 0)
	for k := range d {
		if math.Abs(m0[k]-m1[k]) > 1e-13 {
			t.Fatalf("mean %v became %v", m0, m1)
		}
	}
	for k := range c0 {
		if math.Abs(c1[k]-alpha*alpha*c0[k]) > 1e-12 {
			t.Fatalf("covariance entry %d: %v, want %v", k, c1[k], alpha*alpha*c0[k])
		}
	}
}

// TestETKFSinglePerfectObservation checks the square-root analysis in
// closed form: one member-independent scalar observation of a 1-D state
// with prior sample variance s² gives the analysis mean
// x̄ + s²/(s² + r)·(y − x̄) and variance s²·r/(s² + r), exactly (up to
// rounding) for any N.
func TestETKFSinglePerfectObservation(t *testing.T) {
	t.Parallel()
	e := []float64{1, 2, 4, 7, 6}
	n := len(e)
	var mean, s2 float64
	for _, v := range e {
		mean += v / float64(n)
	}
	for _, v := range e {
		s2 += (v - mean) * (v - mean) / float64(n-1)
	}
	const y, r = 3.0, 1.5
	an := newAnalysis(n, 1, 1)
	an.observe(Identity(1), e, 1, 0)
	if err := an.prepare(Sqrt, []float64{y}, []float64{r}, nil); err != nil {
		t.Fatal(err)
	}
	an.apply(e, 1, 0, 1)
	var ma, va float64
	for _, v := range e {
		ma += v / float64(n)
	}
	for _, v := range e {
		va += (v - ma) * (v - ma) / float64(n-1)
	}
	wantM, wantV := mean+s2/(s2+r)*(y-mean), s2*r/(s2+r)
	if math.Abs(ma-wantM) > 1e-13 || math.Abs(va-wantV) > 1e-13 {
		t.Fatalf("analysis mean %v, variance %v; want %v, %v", ma, va, wantM, wantV)
	}
}

// TestEnKFDeterministic: the same stream gives the same bytes, and
// RunSets gives the same bytes at GOMAXPROCS 1 and 2.
func TestEnKFDeterministic(t *testing.T) {
	g := newLinModel()
	sc := linScenarios[1]
	obs := simulateLin(g, sc.length, sc.h, sc.times, sc.r, rand.New(rand.NewPCG(3, 1)))
	const n, sets = 30, 7
	run := func() []float64 {
		out := make([]float64, sets*n*sc.length*2)
		err := RunSets(sets, 42, func(set int, rng *rand.Rand) error {
			x0 := make([]float64, n*2)
			PriorEnsemble(x0, g, 0, rng)
			return EnKS(out[set*n*sc.length*2:(set+1)*n*sc.length*2], g, x0, obs,
				EnKFConfig{Update: PertObs, Inflation: 1.05, Rotate: true}, rng)
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	prev := runtime.GOMAXPROCS(1)
	a := run()
	runtime.GOMAXPROCS(2)
	b := run()
	runtime.GOMAXPROCS(prev)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("value %d differs between GOMAXPROCS 1 and 2: %v vs %v", i, a[i], b[i])
		}
	}
}

func TestEnKFErrors(t *testing.T) {
	t.Parallel()
	g := newLinModel()
	h := NewLinear([]float64{1, 0}, 1, 2)
	good := &Observations{Times: []int{0, 2}, Y: []float64{1, 2}, R: []float64{1}, H: h}
	x0 := make([]float64, 2*4)
	dst := make([]float64, 4*3*2)
	rng := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		name string
		x0   []float64
		obs  *Observations
		cfg  EnKFConfig
		want error
	}{
		{"one member", x0[:2], good, EnKFConfig{}, ErrConfig},
		{"deflation", x0, good, EnKFConfig{Inflation: 0.9}, ErrConfig},
		{"unknown update", x0, good, EnKFConfig{Update: 7}, ErrConfig},
		{"time out of window", x0, &Observations{Times: []int{0, 3}, Y: []float64{1, 2}, R: []float64{1}, H: h}, EnKFConfig{}, ErrObservations},
		{"times out of order", x0, &Observations{Times: []int{2, 0}, Y: []float64{1, 2}, R: []float64{1}, H: h}, EnKFConfig{}, ErrObservations},
		{"zero variance", x0, &Observations{Times: []int{0}, Y: []float64{1}, R: []float64{0}, H: h}, EnKFConfig{}, ErrObservations},
		{"NaN value", x0, &Observations{Times: []int{0}, Y: []float64{math.NaN()}, R: []float64{1}, H: h}, EnKFConfig{}, ErrObservations},
		{"value count", x0, &Observations{Times: []int{0}, Y: []float64{1, 2}, R: []float64{1}, H: h}, EnKFConfig{}, ErrObservations},
		{"wrong state size", x0, &Observations{Times: []int{0}, Y: []float64{1}, R: []float64{1}, H: Identity(1)}, EnKFConfig{}, ErrObservations},
	}
	for _, tc := range tests {
		dst := dst[:len(tc.x0)*3]
		if err := EnKS(dst, g, tc.x0, tc.obs, tc.cfg, rng); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	// A diverging model is reported with the state and member.
	bad := &linModel{a: [2][2]float64{{1e300, 0}, {0, 1}}, q: 0.1}
	x0[0] = 1e10
	late := &Observations{Times: []int{2}, Y: []float64{1}, R: []float64{1}, H: h}
	err := EnKF(dst, bad, x0, late, EnKFConfig{}, rng)
	var nf *NonFiniteError
	if !errors.As(err, &nf) || nf.Time != 1 || nf.Member != 0 {
		t.Fatalf("err = %v, want a NonFiniteError at state 1, member 0", err)
	}
}

// TestFilterIsEnKF: the step-by-step Filter, driven through a window,
// gives the window EnKF's ensembles bit for bit (same draws, same
// arithmetic).
func TestFilterIsEnKF(t *testing.T) {
	t.Parallel()
	g := newLinModel()
	sc := linScenarios[1]
	obs := simulateLin(g, sc.length, sc.h, sc.times, sc.r, rand.New(rand.NewPCG(5, 1)))
	const n = 12
	x0 := make([]float64, 2*n)
	PriorEnsemble(x0, g, 0, rand.New(rand.NewPCG(5, 2)))
	for _, cfg := range []EnKFConfig{{Update: PertObs, Inflation: 1.1}, {Update: Sqrt, Rotate: true}} {
		win := make([]float64, n*sc.length*2)
		if err := EnKF(win, g, x0, obs, cfg, rand.New(rand.NewPCG(5, 3))); err != nil {
			t.Fatal(err)
		}
		f, err := NewFilter(g, x0, cfg)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(5, 3))
		idx := obs.index(sc.length)
		for tt := range sc.length {
			if tt > 0 {
				if err := f.Forecast(rng); err != nil {
					t.Fatal(err)
				}
			}
			if j := idx[tt]; j >= 0 {
				if err := f.Analyse(obs.H, obs.Y[j*2:(j+1)*2], obs.R, rng); err != nil {
					t.Fatal(err)
				}
			}
			for i := range n {
				for d := range 2 {
					if a, b := f.Ensemble()[i*2+d], win[(i*sc.length+tt)*2+d]; a != b {
						t.Fatalf("%+v: state %d, member %d: Filter %v, EnKF %v", cfg, tt, i, a, b)
					}
				}
			}
		}
	}
}
