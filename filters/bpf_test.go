package filters

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"sdapipe/dynamics"
)

// observeChain simulates one truth of g (burn-in, then obs·step transitions)
// and returns noisy observations of x[0] at every step-th state.
func observeChain(g dynamics.System, burnIn, step, obs int, r float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 99))
	ch := dynamics.NewChain(g)
	x := make([]float64, dynamics.StateSize(g))
	g.SamplePrior(x, rng)
	for range burnIn {
		ch.Transition(x, x, rng)
	}
	y := make([]float64, obs)
	for j := range y {
		for range step {
			ch.Transition(x, x, rng)
		}
		y[j] = x[0] + math.Sqrt(r)*rng.NormFloat64()
	}
	return y
}

// TestBPFMatchesKalmanSmoother compares the BPF paths' marginal means and
// variances with the exact RTS smoother on a linear-Gaussian chain.
//
// Monte Carlo bound: resampled paths come in clusters of identical copies,
// so at each time the estimates behave like averages over
// N_eff = n²/Σ c_i² independent draws (c_i the cluster sizes, counted in
// the output). We require |mean − m| ≤ 5·√(v/N_eff) and
// |var − v| ≤ 5·v·√(2/N_eff) at every time and coordinate, and
// |log Ẑ − log Z| ≤ 5·√(Σ_j 1/ESS_j), the first-order standard error of
// the evidence estimate.
func TestBPFMatchesKalmanSmoother(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		step, obs int
		r         float64 // observation noise variance; +Inf: no observations
	}{
		{"every 2nd state", 2, 6, 0.5},
		{"every state", 1, 10, 0.25},
		{"no information", 3, 4, math.Inf(1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newLinGauss()
			const burnIn = 64
			obs := gaussObs{y: make([]float64, tc.obs), r: tc.r}
			logLik := func(int, []float64) float64 { return 0 }
			if !math.IsInf(tc.r, 1) {
				obs.y = observeChain(g, burnIn, tc.step, tc.obs, tc.r, 5)
				logLik = obs.logLik
			}
			ks := kalmanSmoother(g, burnIn, tc.step, obs)
			cfg := Config{Particles: 1 << 14, BurnIn: burnIn, Step: tc.step, Obs: tc.obs, Keep: 1 << 14, Seed: 1}
			res, err := BPF(g, cfg, logLik)
			if err != nil {
				t.Fatal(err)
			}
			L, n := cfg.Length(), cfg.Keep
			for o := range L {
				for d := range 2 {
					var s, ss float64
					clusters := map[float64]int{}
					for k := range n {
						v := res.Paths[(k*L+o)*2+d]
						s += v
						ss += v * v
						clusters[v]++
					}
					var sc float64
					for _, c := range clusters {
						sc += float64(c * c)
					}
					neff := float64(n) * float64(n) / sc
					m := s / float64(n)
					v := ss/float64(n) - m*m
					km, kv := ks.mean[o+tc.step].AtVec(d), ks.cov[o+tc.step].At(d, d)
					if tol := 5 * math.Sqrt(kv/neff); math.Abs(m-km) > tol {
						t.Errorf("state %d coord %d: mean %.4f, smoother %.4f ± %.4f (N_eff %.0f)", o, d, m, km, tol, neff)
					}
					if tol := 5 * kv * math.Sqrt(2/neff); math.Abs(v-kv) > tol {
						t.Errorf("state %d coord %d: variance %.4f, smoother %.4f ± %.4f (N_eff %.0f)", o, d, v, kv, tol, neff)
					}
				}
			}
			var inv float64
			for _, e := range res.ESS {
				inv += 1 / e
			}
			if tol := 5 * math.Sqrt(inv); math.Abs(res.LogEvidence-ks.logEvidence) > tol {
				t.Errorf("log evidence %.4f, Kalman %.4f ± %.4f", res.LogEvidence, ks.logEvidence, tol)
			}
		})
	}
}

// naiveBPF is the filter written the way the method notes state it: it copies
// whole paths at every resampling. It draws from the same streams as BPF,
// so the two must agree exactly; this checks the ancestor bookkeeping.
func naiveBPF(sys dynamics.System, cfg Config, logLik LogLik) []float64 {
	d, M, T := dynamics.StateSize(sys), cfg.Particles, 1+cfg.Obs*cfg.Step
	paths := make([]float64, M*T*d)
	ch := dynamics.NewChain(sys)
	for c := 0; c*ParticlesPerChunk < M; c++ {
		rng := dynamics.NewStream(cfg.Seed, 0, 0, uint64(c))
		for p := c * ParticlesPerChunk; p < min((c+1)*ParticlesPerChunk, M); p++ {
			x := paths[p*T*d : p*T*d+d]
			sys.SamplePrior(x, rng)
			for range cfg.BurnIn {
				ch.Transition(x, x, rng)
			}
		}
	}
	w := make([]float64, M)
	anc := make([]int32, M)
	table := newAliasTable(M)
	next := make([]float64, len(paths))
	for j := range cfg.Obs {
		t0 := j * cfg.Step // index of the last state before block j
		for c := 0; c*ParticlesPerChunk < M; c++ {
			rng := dynamics.NewStream(cfg.Seed, 0, uint64(j+1), uint64(c))
			for p := c * ParticlesPerChunk; p < min((c+1)*ParticlesPerChunk, M); p++ {
				path := paths[p*T*d : (p+1)*T*d]
				ch.Trajectory(path[(t0+1)*d:(t0+1+cfg.Step)*d], path[t0*d:(t0+1)*d], rng)
				w[p] = logLik(j, path[(t0+cfg.Step)*d:(t0+cfg.Step+1)*d])
			}
		}
		best := math.Inf(-1)
		for _, v := range w {
			best = max(best, v)
		}
		var total float64
		for p := range w {
			w[p] = math.Exp(w[p] - best)
		}
		for c := 0; c*ParticlesPerChunk < M; c++ { // chunk sums in chunk order, as BPF adds them
			var s float64
			for p := c * ParticlesPerChunk; p < min((c+1)*ParticlesPerChunk, M); p++ {
				s += w[p]
			}
			total += s
		}
		table.build(w, total)
		table.draw(anc, dynamics.NewStream(cfg.Seed, 1, uint64(j)))
		for p, a := range anc {
			copy(next[p*T*d:(p+1)*T*d], paths[int(a)*T*d:(int(a)+1)*T*d])
		}
		paths, next = next, paths
	}
	L := cfg.Length()
	out := make([]float64, cfg.Keep*L*d)
	for k := range cfg.Keep {
		copy(out[k*L*d:(k+1)*L*d], paths[(k*T+cfg.Step)*d:(k+1)*T*d])
	}
	return out
}

func lorenzLo(t *testing.T, particles, keep int, seed uint64) (dynamics.System, Config, LogLik, []float64) {
	t.Helper()
	l := dynamics.NewLorenz63()
	cfg := Config{Particles: particles, BurnIn: 64, Step: 8, Obs: 9, Keep: keep, Seed: seed}
	// Truth: a simulated trajectory; y = standardised a at every 8th state + N(0, 0.05²).
	truth, err := dynamics.Generate(l, 1, 64, cfg.Obs*cfg.Step, 1000+seed)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	y := make([]float64, cfg.Obs)
	for j := range y {
		a := truth[((j+1)*cfg.Step-1)*3]
		y[j] = (a-l.Mean[0])/l.Scale[0] + 0.05*rng.NormFloat64()
	}
	logLik := func(j int, x []float64) float64 {
		r := (y[j] - (x[0]-l.Mean[0])/l.Scale[0]) / 0.05
		return -0.5*r*r - math.Log(0.05) - 0.5*math.Log(2*math.Pi)
	}
	// truth states 7, 15, …, 71 are the observed ones: paths start at state 7.
	return l, cfg, logLik, truth[(cfg.Step-1)*3:]
}

func TestBPFMatchesNaivePathCopying(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		particles int
		keep      int
		step, obs int
	}{
		{"lo-like, ragged last chunk", 700, 700, 8, 9},
		{"hi-like", 600, 100, 1, 20},
		{"one observation", 300, 5, 4, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, cfg, logLik, _ := lorenzLo(t, tc.particles, tc.keep, 3)
			cfg.Step, cfg.Obs = tc.step, tc.obs
			res, err := BPF(l, cfg, func(j int, x []float64) float64 { return logLik(j%9, x) })
			if err != nil {
				t.Fatal(err)
			}
			want := naiveBPF(l, cfg, func(j int, x []float64) float64 { return logLik(j%9, x) })
			if len(res.Paths) != len(want) {
				t.Fatalf("len(Paths) = %d, want %d", len(res.Paths), len(want))
			}
			for i := range want {
				if res.Paths[i] != want[i] {
					t.Fatalf("Paths[%d] = %v, naive path copying gives %v", i, res.Paths[i], want[i])
				}
			}
		})
	}
}

// TestBPFLorenzLo runs the "lo" scenario at reduced size: paths have 65
// states and follow the truth. At an observed time the posterior sd of a
// is below the observation sd 0.05·8 = 0.4, so the posterior mean of a is
// within 2 (5 sd) of the truth; the other coordinates are only inferred
// through the dynamics, so we bound the whole-trajectory RMSE by 2 as well
// (the attractor's spread is ~8).
func TestBPFLorenzLo(t *testing.T) {
	t.Parallel()
	l, cfg, logLik, truth := lorenzLo(t, 4096, 1024, 11)
	res, err := BPF(l, cfg, logLik)
	if err != nil {
		t.Fatal(err)
	}
	L := cfg.Length()
	if L != 65 || res.Length != 65 || res.Keep != 1024 || res.Dim != 3 || len(res.Paths) != 1024*65*3 {
		t.Fatalf("shape (%d, %d, %d), len %d; want (1024, 65, 3)", res.Keep, res.Length, res.Dim, len(res.Paths))
	}
	var se float64
	for o := range L {
		for d := range 3 {
			var s float64
			for k := range cfg.Keep {
				s += res.Paths[(k*L+o)*3+d]
			}
			diff := s/float64(cfg.Keep) - truth[o*3+d]
			se += diff * diff
			if d == 0 && o%cfg.Step == 0 && math.Abs(diff) > 2 {
				t.Errorf("observed state %d: posterior mean of a is %.3f off the truth, want ≤ 2", o, diff)
			}
		}
	}
	if rmse := math.Sqrt(se / float64(L*3)); rmse > 2 {
		t.Errorf("RMSE of the posterior mean = %.3f, want ≤ 2", rmse)
	}
}

// TestBPFDeterministic requires identical bytes at GOMAXPROCS 1 and 2, and
// that Keep only truncates.
func TestBPFDeterministic(t *testing.T) {
	l, cfg, logLik, _ := lorenzLo(t, 1000, 64, 5)
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	one, err := BPF(l, cfg, logLik)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GOMAXPROCS(2)
	two, err := BPF(l, cfg, logLik)
	if err != nil {
		t.Fatal(err)
	}
	for i := range one.Paths {
		if math.Float64bits(one.Paths[i]) != math.Float64bits(two.Paths[i]) {
			t.Fatalf("Paths[%d] differs between GOMAXPROCS 1 and 2", i)
		}
	}
	if one.LogEvidence != two.LogEvidence {
		t.Fatalf("LogEvidence differs: %v vs %v", one.LogEvidence, two.LogEvidence)
	}
	cfg.Keep = 10
	few, err := BPF(l, cfg, logLik)
	if err != nil {
		t.Fatal(err)
	}
	for i := range few.Paths {
		if few.Paths[i] != one.Paths[i] {
			t.Fatalf("Keep = 10 is not a prefix of Keep = 64 at %d", i)
		}
	}
}

func TestBPFErrors(t *testing.T) {
	t.Parallel()
	good := Config{Particles: 300, BurnIn: 2, Step: 1, Obs: 3, Keep: 10, Seed: 1}
	zero := func(int, []float64) float64 { return 0 }
	tests := []struct {
		name   string
		modify func(*Config)
		sysErr error
		logLik LogLik
		want   error
		obs    int // for *WeightError: observation and particle
		part   int
	}{
		{"no particles", func(c *Config) { c.Particles = 0 }, nil, zero, ErrConfig, 0, 0},
		{"keep too many", func(c *Config) { c.Keep = 301 }, nil, zero, ErrConfig, 0, 0},
		{"no observations", func(c *Config) { c.Obs = 0 }, nil, zero, ErrConfig, 0, 0},
		{"zero step", func(c *Config) { c.Step = 0 }, nil, zero, ErrConfig, 0, 0},
		{"negative burn-in", func(c *Config) { c.BurnIn = -1 }, nil, zero, ErrConfig, 0, 0},
		{"bad system", nil, dynamics.ErrParams, zero, dynamics.ErrParams, 0, 0},
		{"NaN log-likelihood", nil, nil, func(j int, x []float64) float64 {
			if j == 1 && x[0] == x[0] && x[1] > 0 {
				return math.NaN()
			}
			return 0
		}, ErrWeights, 1, -2},
		{"all zero", nil, nil, func(j int, x []float64) float64 {
			if j == 2 {
				return math.Inf(-1)
			}
			return 0
		}, ErrWeights, 2, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			if tc.modify != nil {
				tc.modify(&cfg)
			}
			g := newLinGauss()
			g.hasErr = tc.sysErr
			res, err := BPF(g, cfg, tc.logLik)
			if !errors.Is(err, tc.want) || res != nil {
				t.Fatalf("BPF = (%v, %v), want (nil, %v)", res, err, tc.want)
			}
			if we, ok := errors.AsType[*WeightError](err); ok {
				if we.Obs != tc.obs || (tc.part == -1) != (we.Particle == -1) {
					t.Fatalf("WeightError = %+v, want observation %d (particle %d; −2: any)", we, tc.obs, tc.part)
				}
			}
		})
	}
}
