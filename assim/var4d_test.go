package assim

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"sdapipe/dynamics"
	"sdapipe/observe"
	"sdapipe/optim"
)

// lorenzWindow returns a true Lorenz 63 window of length states (physical
// units) and observations of it through the one-state observe operator op
// (standardised units, noise sd) at every step-th state.
func lorenzWindow(t testing.TB, length, step int, op observe.Operator, sd float64, seed uint64) (*dynamics.Lorenz63, []float64, *Observations) {
	t.Helper()
	return lorenzWindowQ(t, length, step, op, sd, seed, dynamics.NewLorenz63().Q)
}

// lorenzWindowQ is lorenzWindow with the truth simulated with transition
// noise variance q (the returned model has docs/method.md §1.1's q = 0.025).
func lorenzWindowQ(t testing.TB, length, step int, op observe.Operator, sd float64, seed uint64, q float64) (*dynamics.Lorenz63, []float64, *Observations) {
	t.Helper()
	l := dynamics.NewLorenz63()
	sim := *l
	sim.Q = q
	truth, err := dynamics.Generate(&sim, 1, 64, length, seed)
	if err != nil {
		t.Fatal(err)
	}
	h, err := Standardized(op, l)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 77))
	p := h.Outputs()
	obs := &Observations{H: h, R: make([]float64, p)}
	for q := range p {
		obs.R[q] = sd * sd
	}
	for i := 0; i < length; i += step {
		obs.Times = append(obs.Times, i)
		y := make([]float64, p)
		h.Apply(y, truth[i*3:(i+1)*3])
		for q := range y {
			y[q] += sd * rng.NormFloat64()
		}
		obs.Y = append(obs.Y, y...)
	}
	return l, truth, obs
}

// must returns v, panicking on an error (fixed, valid test inputs only).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// operators are the observation models of the gradient tests: the "lo"
// scenario's (standardised a, every 8th state, σ 0.05), a saturating one
// of two variables and the norm of the state (nonlinear).
func gradientOperators(t *testing.T) []struct {
	name string
	op   observe.Operator
	step int
	sd   float64
} {
	sel := must(observe.NewSelect(1, 3, []int{0}, []int{0}))
	two, err := observe.NewSelect(1, 3, []int{0, 2}, []int{0})
	if err != nil {
		t.Fatal(err)
	}
	norm := must(observe.NewNorm(1, 3, []int{0}))
	return []struct {
		name string
		op   observe.Operator
		step int
		sd   float64
	}{
		{"lo select", sel, 8, 0.05},
		{"saturate", observe.NewSaturate(two), 4, 0.1},
		{"norm", norm, 3, 0.25},
	}
}

// checkGradient compares grad with central differences of f at x.
//
// Tolerance: with ε = 1e-6·(1 + |x_i|) the truncation error ε²·f”' and the
// rounding error ~1e-16·|f|/ε are both below ~1e-6 relative to the
// largest gradient entry for these costs (|f| up to ~1e5, gradients up to
// ~1e5, third derivatives of the chaotic map amplified ~e² over the
// window); we allow 1e-5 of the largest entry, or 1e-6 relative.
func checkGradient(t *testing.T, f func(grad, x []float64) float64, x []float64) {
	t.Helper()
	n := len(x)
	grad, scratch := make([]float64, n), make([]float64, n)
	f(grad, x)
	var scale float64
	for _, g := range grad {
		scale = math.Max(scale, math.Abs(g))
	}
	xp := append([]float64(nil), x...)
	for i := range n {
		eps := 1e-6 * (1 + math.Abs(x[i]))
		xp[i] = x[i] + eps
		fp := f(scratch, xp)
		xp[i] = x[i] - eps
		fm := f(scratch, xp)
		xp[i] = x[i]
		fd := (fp - fm) / (2 * eps)
		if d := math.Abs(fd - grad[i]); d > 1e-5*scale && d > 1e-6*math.Abs(fd) {
			t.Fatalf("∂/∂x[%d]: adjoint %.10g, central difference %.10g (scale %.3g)", i, grad[i], fd, scale)
		}
	}
}

func TestStrongGradientMatchesFiniteDifferences(t *testing.T) {
	t.Parallel()
	for _, tc := range gradientOperators(t) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, truth, obs := lorenzWindow(t, 65, tc.step, tc.op, tc.sd, 3)
			bg, err := NewBackground([]float64{0, 0, 25}, []float64{64, 50, 0, 50, 81, 0, 0, 0, 75})
			if err != nil {
				t.Fatal(err)
			}
			s, err := NewStrong(l, 65, obs, bg)
			if err != nil {
				t.Fatal(err)
			}
			x0 := []float64{truth[0] + 0.3, truth[1] - 0.2, truth[2] + 0.1}
			checkGradient(t, s.Cost, x0)
		})
	}
}

func TestWeakGradientMatchesFiniteDifferences(t *testing.T) {
	t.Parallel()
	for _, tc := range gradientOperators(t) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, truth, obs := lorenzWindow(t, 33, tc.step, tc.op, tc.sd, 4)
			w, err := NewWeak(l, 33, obs, IsotropicBackground(truth[:3], 0.5))
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(4, 4))
			x := append([]float64(nil), truth...)
			for i := range x {
				x[i] += 0.2 * rng.NormFloat64()
			}
			checkGradient(t, w.Cost, x)
		})
	}
}

// TestWeakMatchesRTS: on a linear-Gaussian chain with the prior as
// background, the weak-constraint optimum is the posterior mean, i.e. the
// RTS smoother's means, and the Laplace samples are exact posterior draws
// whose variances are the RTS variances.
//
// Tolerances: the optimum is solved to ‖∇J‖∞ ≤ 1e-10 with a Hessian whose
// smallest eigenvalue is ≥ 1/q·(1 − 0.95)² ~ 0.02, so means agree to
// ~1e-8. The Laplace variances are sample variances of 20 000 draws:
// standard error v·√(2/N) ≈ 0.01·v; we allow 5 of them.
func TestWeakMatchesRTS(t *testing.T) {
	t.Parallel()
	for si, sc := range linScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			g := newLinModel()
			obs := simulateLin(g, sc.length, sc.h, sc.times, sc.r, rand.New(rand.NewPCG(uint64(si), 5)))
			ref := kalmanRTS(g, sc.length, obs, sc.h)
			bg, err := NewBackground(g.m0[:], []float64{g.p0[0], 0, 0, g.p0[1]})
			if err != nil {
				t.Fatal(err)
			}
			w, err := NewWeak(g, sc.length, obs, bg)
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float64, sc.length*2)
			res, err := w.Minimize(x, optim.Settings{GradTol: 1e-10})
			if err != nil || res.Status != optim.GradConverged {
				t.Fatalf("status %v, err %v", res.Status, err)
			}
			for tt := range sc.length {
				for d := range 2 {
					if got, want := x[tt*2+d], ref.smoothMean[tt].AtVec(d); math.Abs(got-want) > 1e-7 {
						t.Fatalf("state %d, coordinate %d: optimum %.10f, RTS mean %.10f", tt, d, got, want)
					}
				}
			}
			const n = 20000
			samples := make([]float64, n*sc.length*2)
			if err := w.Laplace(samples, x, rand.New(rand.NewPCG(uint64(si), 6))); err != nil {
				t.Fatal(err)
			}
			for tt := range sc.length {
				_, cov := ensembleMoments(samples, n, sc.length, tt)
				for a := range 2 {
					for b := range 2 {
						v := ref.smoothCov[tt].At(a, b)
						sd := math.Sqrt(ref.smoothCov[tt].At(a, a) * ref.smoothCov[tt].At(b, b))
						if math.Abs(cov[a][b]-v) > 5*sd*math.Sqrt(2.0/n) {
							t.Fatalf("state %d: Laplace covariance [%d][%d] %.5f, RTS %.5f", tt, a, b, cov[a][b], v)
						}
					}
				}
			}
		})
	}
}

// TestStrongMatchesKalman: with no model noise the posterior of x_0 is
// Gaussian with the Kalman smoother's moments at state 0 (q = 0); strong
// 4D-Var's optimum is its mean and its Laplace covariance its covariance.
// The Laplace samples are exact model trajectories. Tolerances as in
// TestWeakMatchesRTS.
func TestStrongMatchesKalman(t *testing.T) {
	t.Parallel()
	g := newLinModel()
	g.q = 0
	sc := linScenarios[0]
	obs := simulateLin(g, sc.length, sc.h, sc.times, sc.r, rand.New(rand.NewPCG(8, 5)))
	ref := kalmanRTS(g, sc.length, obs, sc.h)
	bg, err := NewBackground(g.m0[:], []float64{g.p0[0], 0, 0, g.p0[1]})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewStrong(g, sc.length, obs, bg)
	if err != nil {
		t.Fatal(err)
	}
	x0 := make([]float64, 2)
	if res, err := s.Minimize(x0, optim.Settings{GradTol: 1e-11}); err != nil || res.Status != optim.GradConverged {
		t.Fatalf("status %v, err %v", res.Status, err)
	}
	for d := range 2 {
		if math.Abs(x0[d]-ref.smoothMean[0].AtVec(d)) > 1e-8 {
			t.Fatalf("x0[%d] = %.10f, Kalman smoother %.10f", d, x0[d], ref.smoothMean[0].AtVec(d))
		}
	}
	const n = 20000
	samples := make([]float64, n*sc.length*2)
	if err := s.Laplace(samples, x0, rand.New(rand.NewPCG(8, 6))); err != nil {
		t.Fatal(err)
	}
	_, cov := ensembleMoments(samples, n, sc.length, 0)
	for a := range 2 {
		for b := range 2 {
			v := ref.smoothCov[0].At(a, b)
			sd := math.Sqrt(ref.smoothCov[0].At(a, a) * ref.smoothCov[0].At(b, b))
			if math.Abs(cov[a][b]-v) > 5*sd*math.Sqrt(2.0/n) {
				t.Fatalf("Laplace covariance [%d][%d] %.5f, Kalman %.5f", a, b, cov[a][b], v)
			}
		}
	}
	// Each sample is a trajectory of the model.
	st := g.NewStepper()
	next := make([]float64, 2)
	for tt := 1; tt < sc.length; tt++ {
		st.Map(next, samples[(tt-1)*2:tt*2])
		if math.Abs(next[0]-samples[tt*2]) > 1e-12 || math.Abs(next[1]-samples[tt*2+1]) > 1e-12 {
			t.Fatalf("sample 0 leaves the model at state %d", tt)
		}
	}
}

// TestStrongLorenzRecoversTruth: on a Lorenz window whose truth follows
// the deterministic map (q = 1e-10 in the simulation: strong 4D-Var's own
// model), with the "lo" observations and a climatological background,
// strong 4D-Var from a start 2 units off converges and lands near the
// truth's first state (the observation error is 0.05 standardised, 0.4
// physical units in a, and nine observations over 1.6 time units pin x_0
// far tighter: 0.24 RMSE here, from 1.19 at the start).
func TestStrongLorenzRecoversTruth(t *testing.T) {
	t.Parallel()
	sel := must(observe.NewSelect(1, 3, []int{0}, []int{0}))
	l, truth, obs := lorenzWindowQ(t, 65, 8, sel, 0.05, 11, 1e-10)
	mean, cov := Climatology(l, 1000, 20000, rand.New(rand.NewPCG(1, 1)))
	bg, err := NewBackground(mean, cov)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewStrong(l, 65, obs, bg)
	if err != nil {
		t.Fatal(err)
	}
	x0 := []float64{truth[0] + 1.5, truth[1] - 1, truth[2] + 1}
	res, err := s.Minimize(x0, optim.Settings{GradTol: 1e-6, MaxIter: 500})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Status.Converged() {
		t.Fatalf("status %v after %d iterations", res.Status, res.Iter)
	}
	t.Logf("RMSE %.4f after %d iterations", rmse3(x0, truth[:3]), res.Iter)
	if e := rmse3(x0, truth[:3]); e > 0.5 {
		t.Fatalf("optimum %v, truth %v: RMSE %.3f, want ≤ 0.5", x0, truth[:3], e)
	}
}

// TestClimatology compares the estimated Lorenz 63 climatology with its
// known values: mean of c about 23.5, a and b centred on 0 by symmetry,
// variances of a and b about 62 and 78 (long-run averages, e.g. the
// DAPPER benchmark's 3D-Var background; ±10 % for a 20 000-state run).
func TestClimatology(t *testing.T) {
	t.Parallel()
	mean, cov := Climatology(dynamics.NewLorenz63(), 1000, 20000, rand.New(rand.NewPCG(2, 2)))
	if math.Abs(mean[0]) > 1.5 || math.Abs(mean[1]) > 1.5 || math.Abs(mean[2]-23.5) > 1 {
		t.Fatalf("mean %v", mean)
	}
	if math.Abs(cov[0]-62)/62 > 0.1 || math.Abs(cov[4]-78)/78 > 0.1 || cov[1] != cov[3] {
		t.Fatalf("covariance %v", cov)
	}
}

func TestDistinctModes(t *testing.T) {
	t.Parallel()
	// Four events of size 2: 0 and 2 are near-duplicates (distance² 0.5),
	// 1 and 3 too (0.02); 2 has the lower cost of its pair.
	x := []float64{0, 0, 10, 10, 0.5, 0.5, 10.1, 9.9}
	cost := []float64{3, 1, 2, 4}
	if got := DistinctModes(x, 2, cost, 1); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("by cost: modes %v, want [1 2]", got)
	}
	if got := DistinctModes(x, 2, nil, 1); len(got) != 2 || got[0] != 0 || got[1] != 1 {
		t.Fatalf("by index: modes %v, want [0 1]", got)
	}
	if got := DistinctModes(x, 2, cost, 0.01); len(got) != 4 {
		t.Fatalf("threshold 0.01 kept %v, want all four", got)
	}
	// A chain 0 – 1 – 2 at unit spacing with threshold 1.5: 1 is near 0
	// and dropped, and 2, near the dropped 1, is dropped too (the demo's
	// rule compares with every earlier event).
	chain := []float64{0, 1, 2}
	if got := DistinctModes(chain, 1, nil, 1.5); len(got) != 1 || got[0] != 0 {
		t.Fatalf("chain: modes %v, want [0]", got)
	}
}

// TestFindModesDoubleWell: a 1-D chain with M(x) = x and a square
// observation y = x² at the last state has two posterior modes ±√y;
// starts on either side find both, and duplicates merge.
func TestFindModesDoubleWell(t *testing.T) {
	t.Parallel()
	m := &linModel{a: [2][2]float64{{1, 0}, {0, 1}}, q: 0.01}
	sq := squareOp{}
	obs := &Observations{Times: []int{4}, Y: []float64{4, 0}, R: []float64{0.01, 1}, H: sq}
	starts := make([]float64, 4*5*2)
	for k, s := range []float64{1.5, 2.5, -1.8, -2.2} {
		for i := range 5 {
			starts[(k*5+i)*2] = s
		}
	}
	optima, costs, modes, err := FindModes(m, obs, starts, 5, ModeSearch{BackgroundVar: 100, Threshold: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if len(modes) != 2 {
		t.Fatalf("modes %v (costs %v), want two", modes, costs)
	}
	for _, k := range modes {
		if a := math.Abs(optima[(k*5+4)*2]); math.Abs(a-2) > 0.05 {
			t.Fatalf("mode %d ends at %v, want ±2", k, optima[(k*5+4)*2])
		}
	}
	if optima[(modes[0]*5+4)*2]*optima[(modes[1]*5+4)*2] > 0 {
		t.Fatalf("both modes on one side")
	}
}

// squareOp observes (x_0², x_1) of a 2-D state.
type squareOp struct{}

func (squareOp) Dim() int     { return 2 }
func (squareOp) Outputs() int { return 2 }
func (squareOp) Apply(dst, x []float64) {
	dst[0], dst[1] = x[0]*x[0], x[1]
}
func (squareOp) VJP(gx, x, g []float64) {
	gx[0] += 2 * x[0] * g[0]
	gx[1] += g[1]
}

func TestVarErrors(t *testing.T) {
	t.Parallel()
	g := newLinModel()
	h := NewLinear([]float64{1, 0}, 1, 2)
	obs := &Observations{Times: []int{0}, Y: []float64{1}, R: []float64{1}, H: h}
	if _, err := NewBackground([]float64{0, 0}, []float64{1, 2, 2, 1}); !errors.Is(err, ErrSingular) {
		t.Errorf("indefinite covariance: err = %v, want ErrSingular", err)
	}
	if _, err := NewBackground([]float64{0, 0}, []float64{1, 0.5, 0.4, 1}); !errors.Is(err, ErrSingular) {
		t.Errorf("asymmetric covariance: err = %v, want ErrSingular", err)
	}
	noiseless := newLinModel()
	noiseless.q = 0
	if _, err := NewWeak(noiseless, 3, obs, IsotropicBackground([]float64{0, 0}, 1)); !errors.Is(err, ErrConfig) {
		t.Errorf("weak with q = 0: err = %v, want ErrConfig", err)
	}
	if _, err := NewStrong(g, 3, obs, IsotropicBackground([]float64{0, 0, 0}, 1)); !errors.Is(err, ErrConfig) {
		t.Errorf("background of dimension 3: err = %v, want ErrConfig", err)
	}
	if _, err := NewStrong(g, 3, &Observations{Times: []int{5}, Y: []float64{1}, R: []float64{1}, H: h}, IsotropicBackground([]float64{0, 0}, 1)); !errors.Is(err, ErrObservations) {
		t.Errorf("observation outside the window: err = %v, want ErrObservations", err)
	}
}
