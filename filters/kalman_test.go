package filters

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"sdapipe/dynamics"
)

// linGauss is a 2-D linear-Gaussian chain x' ~ N(A·x, q·I) with prior
// N(0, p0·I): the test system whose smoothing posterior the Kalman (RTS)
// smoother gives exactly.
type linGauss struct {
	a      [2][2]float64
	q, p0  float64
	hasErr error
}

func newLinGauss() *linGauss {
	// A slow rotation with contraction 0.95: a stable chain whose
	// coordinates mix, so observing only x[0] informs x[1] too.
	c, s := 0.95*math.Cos(0.3), 0.95*math.Sin(0.3)
	return &linGauss{a: [2][2]float64{{c, -s}, {s, c}}, q: 0.1, p0: 1}
}

func (g *linGauss) StateShape() []int { return []int{2} }
func (g *linGauss) NoiseVar() float64 { return g.q }
func (g *linGauss) Validate() error   { return g.hasErr }
func (g *linGauss) NewStepper() dynamics.Stepper {
	return linStepper{g.a}
}
func (g *linGauss) SamplePrior(dst []float64, rng *rand.Rand) {
	sd := math.Sqrt(g.p0)
	dst[0], dst[1] = sd*rng.NormFloat64(), sd*rng.NormFloat64()
}
func (g *linGauss) Standardize(dst, x []float64)   { copy(dst, x) }
func (g *linGauss) Unstandardize(dst, x []float64) { copy(dst, x) }

type linStepper struct{ a [2][2]float64 }

func (s linStepper) Map(dst, x []float64) {
	x0, x1 := x[0], x[1]
	dst[0] = s.a[0][0]*x0 + s.a[0][1]*x1
	dst[1] = s.a[1][0]*x0 + s.a[1][1]*x1
}

// gaussObs observes x[0] at every observation with noise variance r.
type gaussObs struct {
	y []float64
	r float64
}

func (o gaussObs) logLik(j int, x []float64) float64 {
	d := o.y[j] - x[0]
	return -0.5*math.Log(2*math.Pi*o.r) - d*d/(2*o.r)
}

// smoother holds the Kalman smoother's marginals at times 0 … T, where
// time 0 is x_0 (after the burn-in) and observation j is at time (j+1)·step.
type smoother struct {
	mean []*mat.VecDense
	cov  []*mat.SymDense
	// logEvidence is log p(y_1, …, y_n), from the innovations.
	logEvidence float64
}

// kalmanSmoother runs the Kalman filter and the Rauch–Tung–Striebel
// smoother on g with burnIn transitions before x_0, observations of x[0]
// with variance r every step transitions (r = +Inf: no observations).
func kalmanSmoother(g *linGauss, burnIn, step int, obs gaussObs) smoother {
	A := mat.NewDense(2, 2, []float64{g.a[0][0], g.a[0][1], g.a[1][0], g.a[1][1]})
	Q := mat.NewSymDense(2, []float64{g.q, 0, 0, g.q})
	predict := func(P *mat.SymDense) *mat.SymDense {
		var APA mat.Dense
		APA.Product(A, P, A.T())
		out := mat.NewSymDense(2, nil)
		for i := range 2 {
			for k := i; k < 2; k++ {
				out.SetSym(i, k, 0.5*(APA.At(i, k)+APA.At(k, i))+Q.At(i, k))
			}
		}
		return out
	}
	P := mat.NewSymDense(2, []float64{g.p0, 0, 0, g.p0})
	for range burnIn {
		P = predict(P)
	}
	T := len(obs.y) * step
	mf := make([]*mat.VecDense, T+1)
	Pf := make([]*mat.SymDense, T+1)
	mp := make([]*mat.VecDense, T+1)
	Pp := make([]*mat.SymDense, T+1)
	mf[0], Pf[0] = mat.NewVecDense(2, nil), P
	var logEv float64
	for t := 1; t <= T; t++ {
		m := mat.NewVecDense(2, nil)
		m.MulVec(A, mf[t-1])
		P := predict(Pf[t-1])
		mp[t], Pp[t] = mat.VecDenseCopyOf(m), mat.NewSymDense(2, nil)
		Pp[t].CopySym(P)
		if t%step == 0 && !math.IsInf(obs.r, 1) {
			y := obs.y[t/step-1]
			s := P.At(0, 0) + obs.r
			innov := y - m.AtVec(0)
			logEv += -0.5*math.Log(2*math.Pi*s) - innov*innov/(2*s)
			k0, k1 := P.At(0, 0)/s, P.At(1, 0)/s
			m.SetVec(0, m.AtVec(0)+k0*innov)
			m.SetVec(1, m.AtVec(1)+k1*innov)
			// P ← (I − K H) P with H = [1 0].
			p00, p01, p11 := P.At(0, 0), P.At(0, 1), P.At(1, 1)
			P = mat.NewSymDense(2, []float64{
				p00 - k0*p00, p01 - k0*p01,
				p01 - k0*p01, p11 - k1*p01,
			})
		}
		mf[t], Pf[t] = m, P
	}
	ms := make([]*mat.VecDense, T+1)
	Ps := make([]*mat.SymDense, T+1)
	ms[T], Ps[T] = mf[T], Pf[T]
	for t := T - 1; t >= 0; t-- {
		// G = P_t Aᵀ (P⁻_{t+1})⁻¹
		var inv, G, tmp mat.Dense
		if err := inv.Inverse(Pp[t+1]); err != nil {
			panic(err)
		}
		tmp.Mul(Pf[t], A.T())
		G.Mul(&tmp, &inv)
		var dm mat.VecDense
		dm.SubVec(ms[t+1], mp[t+1])
		var corr mat.VecDense
		corr.MulVec(&G, &dm)
		m := mat.NewVecDense(2, nil)
		m.AddVec(mf[t], &corr)
		var dP mat.Dense
		dP.Sub(Ps[t+1], Pp[t+1])
		var GdPGt mat.Dense
		GdPGt.Product(&G, &dP, G.T())
		P := mat.NewSymDense(2, nil)
		for i := range 2 {
			for k := i; k < 2; k++ {
				P.SetSym(i, k, Pf[t].At(i, k)+0.5*(GdPGt.At(i, k)+GdPGt.At(k, i)))
			}
		}
		ms[t], Ps[t] = m, P
	}
	return smoother{mean: ms, cov: Ps, logEvidence: logEv}
}
