package assim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"sdapipe/dynamics"
)

// The DAPPER benchmark "Lorenz63/sakov2012" (DAPPER's
// dapper/mods/Lorenz63/sakov2012.py, after Sakov et al. 2012, Table 1),
// reproduced with this package's methods. Protocol, as DAPPER defines it:
//
//   - the Lorenz 63 ODE (σ 10, ρ 28, β 8/3), one RK4 step of dt = 0.01 per
//     model step, no model noise;
//   - truth and initial ensemble from N(x0, 2·I), x0 = (1.509, −1.531,
//     25.46), drawn independently;
//   - all three variables observed every dko = 25 steps (Δt_obs = 0.25),
//     R = 2·I, Ko + 1 = 1001 observation times k = 25, 50, …, 25 025 (by
//     DAPPER's convention there is no observation at k = 0);
//   - the statistic rmse.a: at each observation time the RMSE over the
//     three variables of the analysis mean, √(mean_d (x̄_d − x_d)²),
//     averaged over the observation times after the burn-in, t > 16
//     (t = 0.25·(ko+1), so ko = 64 … 1000: 937 times).
//
// DAPPER's published values for this configuration (rmse.a): 3D-Var
// (xB = 0.1) 1.04; EnKF Sqrt N = 10, infl 1.02, rot 0.60; EnKF PertObs
// N = 10, infl 1.04 0.65; iEnKS N = 10 0.31; PartFilt N = 800, reg 0.9,
// NER 0.2 0.28.
const (
	dapperDt     = 0.01
	dapperDko    = 25
	dapperKo     = 1000
	dapperBurnIn = 16.0
	dapperR      = 2.0
)

var dapperX0 = [3]float64{1.509, -1.531, 25.46}

// dapperModel is Lorenz 63 with DAPPER's step and no model noise.
func dapperModel() *dynamics.Lorenz63 {
	l := dynamics.NewLorenz63()
	l.Dt, l.Q = dapperDt, 0
	return l
}

// dapperTwin holds a simulated truth xx, (K+1, 3) with K = 25 025, and the
// observations yy, (Ko+1, 3), of observation ko at step (ko+1)·dko.
type dapperTwin struct{ xx, yy []float64 }

func simulateDapper(rng *rand.Rand) dapperTwin {
	k := dapperDko * (dapperKo + 1)
	st := dapperModel().NewStepper()
	tw := dapperTwin{xx: make([]float64, 3*(k+1)), yy: make([]float64, 3*(dapperKo+1))}
	for d := range 3 {
		tw.xx[d] = dapperX0[d] + math.Sqrt(2)*rng.NormFloat64()
	}
	for s := 1; s <= k; s++ {
		st.Map(tw.xx[3*s:3*s+3], tw.xx[3*s-3:3*s])
		if s%dapperDko == 0 {
			ko := s/dapperDko - 1
			for d := range 3 {
				tw.yy[3*ko+d] = tw.xx[3*s+d] + math.Sqrt(dapperR)*rng.NormFloat64()
			}
		}
	}
	return tw
}

// truthAt returns the true state at observation ko.
func (tw dapperTwin) truthAt(ko int) []float64 {
	s := (ko + 1) * dapperDko
	return tw.xx[3*s : 3*s+3]
}

// dapperInitial draws N members from N(x0, 2·I).
func dapperInitial(n int, rng *rand.Rand) []float64 {
	e := make([]float64, 3*n)
	for i := range e {
		e[i] = dapperX0[i%3] + math.Sqrt(2)*rng.NormFloat64()
	}
	return e
}

// rmse3 returns √(mean_d (a_d − b_d)²) over three variables.
func rmse3(a, b []float64) float64 {
	var s float64
	for d := range 3 {
		r := a[d] - b[d]
		s += r * r
	}
	return math.Sqrt(s / 3)
}

// timeAverage averages the per-observation RMSEs over t = 0.25·(ko+1) > 16.
func timeAverage(rmse []float64) float64 {
	var s float64
	var n int
	for ko, v := range rmse {
		if float64(ko+1)*dapperDko*dapperDt > dapperBurnIn {
			s += v
			n++
		}
	}
	return s / float64(n)
}

// runDapperEnKF cycles an ensemble Kalman filter through the twin and
// returns the analysis RMSE at each observation time.
func runDapperEnKF(tw dapperTwin, n int, cfg EnKFConfig, rng *rand.Rand) ([]float64, error) {
	f, err := NewFilter(dapperModel(), dapperInitial(n, rng), cfg)
	if err != nil {
		return nil, err
	}
	h, r := Identity(3), []float64{dapperR, dapperR, dapperR}
	mean := make([]float64, 3)
	out := make([]float64, dapperKo+1)
	for ko := range out {
		for range dapperDko {
			if err := f.Forecast(rng); err != nil {
				return nil, err
			}
		}
		if err := f.Analyse(h, tw.yy[3*ko:3*ko+3], r, rng); err != nil {
			return nil, err
		}
		f.Mean(mean)
		out[ko] = rmse3(mean, tw.truthAt(ko))
	}
	return out, nil
}

// runDapperVar3D cycles 3D-Var with DAPPER's background covariance
// B = 0.1·cov(truth), the sample covariance of all K+1 true states (DAPPER
// estimates it from the truth too), from the mean x0.
func runDapperVar3D(tw dapperTwin) ([]float64, error) {
	b := sampleCov(tw.xx, 3)
	for i := range b {
		b[i] *= 0.1
	}
	v, err := NewVar3D(b, 3)
	if err != nil {
		return nil, err
	}
	st := dapperModel().NewStepper()
	h, r := Identity(3), []float64{dapperR, dapperR, dapperR}
	mu := slices.Clone(dapperX0[:])
	out := make([]float64, dapperKo+1)
	for ko := range out {
		for range dapperDko {
			st.Map(mu, mu)
		}
		if err := v.Analyse(mu, mu, h, tw.yy[3*ko:3*ko+3], r); err != nil {
			return nil, err
		}
		out[ko] = rmse3(mu, tw.truthAt(ko))
	}
	return out, nil
}

// sampleCov returns the covariance (divided by n − 1) of the rows of x,
// (n, d).
func sampleCov(x []float64, d int) []float64 {
	n := len(x) / d
	mean := make([]float64, d)
	for i := range n {
		for j := range d {
			mean[j] += x[i*d+j] / float64(n)
		}
	}
	c := make([]float64, d*d)
	for i := range n {
		for j := range d {
			for k := range d {
				c[j*d+k] += (x[i*d+j] - mean[j]) * (x[i*d+k] - mean[k]) / float64(n-1)
			}
		}
	}
	return c
}

// runDapperPF cycles the regularised particle filter; the analysis mean
// is the weighted mean after reweighting, before resampling (DAPPER
// assesses it there).
func runDapperPF(tw dapperTwin, n int, cfg PFConfig, rng *rand.Rand) ([]float64, error) {
	f, err := NewPF(dapperModel(), dapperInitial(n, rng), cfg)
	if err != nil {
		return nil, err
	}
	h, r := Identity(3), []float64{dapperR, dapperR, dapperR}
	mean := make([]float64, 3)
	out := make([]float64, dapperKo+1)
	for ko := range out {
		for range dapperDko {
			if err := f.Forecast(rng); err != nil {
				return nil, err
			}
		}
		f.Reweight(h, tw.yy[3*ko:3*ko+3], r)
		f.Mean(mean)
		out[ko] = rmse3(mean, tw.truthAt(ko))
		f.Resample(rng)
	}
	return out, nil
}

// dapperRow is one row of the table: a method, DAPPER's value, whether it
// is slow (fewer twins), and a run.
type dapperRow struct {
	name   string
	dapper float64
	slow   bool
	run    func(tw dapperTwin, rng *rand.Rand) ([]float64, error)
}

func dapperRows() []dapperRow {
	return []dapperRow{
		{"3D-Var xB=0.1", 1.04, false, func(tw dapperTwin, _ *rand.Rand) ([]float64, error) {
			return runDapperVar3D(tw)
		}},
		{"EnKF Sqrt N=10 infl 1.02 rot", 0.60, false, func(tw dapperTwin, rng *rand.Rand) ([]float64, error) {
			return runDapperEnKF(tw, 10, EnKFConfig{Update: Sqrt, Inflation: 1.02, Rotate: true}, rng)
		}},
		{"EnKF PertObs N=10 infl 1.04", 0.65, false, func(tw dapperTwin, rng *rand.Rand) ([]float64, error) {
			return runDapperEnKF(tw, 10, EnKFConfig{Update: PertObs, Inflation: 1.04}, rng)
		}},
		{"PartFilt N=800 reg 0.9 NER 0.2", 0.28, true, func(tw dapperTwin, rng *rand.Rand) ([]float64, error) {
			return runDapperPF(tw, 800, PFConfig{NER: 0.2, Reg: 0.9}, rng)
		}},
	}
}

// TestDAPPERSakov2012 reproduces DAPPER's Lorenz 63 table over
// independent twins (truth, observations and filter draws from their own
// streams). DAPPER's values come from single runs, so the test compares
// the median over twins, a typical single run, with DAPPER's value (within
// 10 %), and for the ensemble Kalman filters and 3D-Var also the mean.
// Fast rows use 32 twins, the particle filter 8 (~1 s and ~6 s of CPU;
// the whole test is skipped with -short). Run with -v to print each row:
// mean ± standard deviation and median over twins.
//
// The twins' spread is wide and skewed: with N = 10 an EnKF now and then
// loses the truth for a while, which doubles that twin's average. The
// particle filter, without model noise, loses the truth for good in
// about one run in six (RMSE ~5-10 instead of ~0.27), so its mean over
// twins says little; an independent numpy implementation of the same
// filter fails as often (5 of 26 runs). The test bounds the failures at
// 3 of 8.
func TestDAPPERSakov2012(t *testing.T) {
	if testing.Short() {
		t.Skip("1001 analyses per twin, 32 twins per row; the particle filter ~6 s")
	}
	t.Parallel()
	for _, row := range dapperRows() {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			twins := 32
			if row.slow {
				twins = 8
			}
			vals := make([]float64, twins)
			lost := 0
			for s := range twins {
				tw := simulateDapper(dynamics.NewStream(2012, uint64(s), 0))
				rmse, err := row.run(tw, dynamics.NewStream(2012, uint64(s), 1))
				if err != nil {
					t.Fatalf("twin %d: %v", s, err)
				}
				vals[s] = timeAverage(rmse)
				if vals[s] > 2*row.dapper {
					lost++
				}
			}
			mean, sd := meanSD(vals)
			med := median(vals)
			t.Logf("%-32s DAPPER %.2f  sdapipe mean %.3f ± %.3f, median %.3f over %d twins, %d above twice DAPPER's",
				row.name, row.dapper, mean, sd, med, twins, lost)
			if math.Abs(med-row.dapper) > 0.1*row.dapper {
				t.Errorf("median rmse.a %.3f over %d twins, DAPPER %.2f: off by more than 10 %%", med, twins, row.dapper)
			}
			if !row.slow && math.Abs(mean-row.dapper) > 0.1*row.dapper {
				t.Errorf("mean rmse.a %.3f over %d twins, DAPPER %.2f: off by more than 10 %%", mean, twins, row.dapper)
			}
			if row.slow && lost > 3 {
				t.Errorf("%d of %d twins lost the truth, want at most 3", lost, twins)
			}
		})
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return 0.5 * (s[len(s)/2-1] + s[len(s)/2])
}

func meanSD(v []float64) (mean, sd float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(v)-1))
}
