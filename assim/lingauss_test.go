package assim

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"sdapipe/dynamics"
)

// linModel is a 2-D linear-Gaussian chain x' ~ N(A·x, q·I): a slow rotation
// with contraction 0.95, so observing one coordinate informs the other. It
// is a Model and a TangentModel (J_M = A), and its prior is N(m0, P0).
type linModel struct {
	a      [2][2]float64
	q      float64
	m0, p0 [2]float64 // prior mean and (diagonal) variances of x_0
}

func newLinModel() *linModel {
	c, s := 0.95*math.Cos(0.3), 0.95*math.Sin(0.3)
	return &linModel{a: [2][2]float64{{c, -s}, {s, c}}, q: 0.1, m0: [2]float64{1, -0.5}, p0: [2]float64{1, 0.6}}
}

func (g *linModel) StateShape() []int                          { return []int{2} }
func (g *linModel) NoiseVar() float64                          { return g.q }
func (g *linModel) NewStepper() dynamics.Stepper               { return linStepper{g.a} }
func (g *linModel) NewTangentStepper() dynamics.TangentStepper { return linStepper{g.a} }
func (g *linModel) SamplePrior(dst []float64, rng *rand.Rand) {
	for d := range 2 {
		dst[d] = g.m0[d] + math.Sqrt(g.p0[d])*rng.NormFloat64()
	}
}

type linStepper struct{ a [2][2]float64 }

func (s linStepper) Map(dst, x []float64) {
	x0, x1 := x[0], x[1]
	dst[0] = s.a[0][0]*x0 + s.a[0][1]*x1
	dst[1] = s.a[1][0]*x0 + s.a[1][1]*x1
}
func (s linStepper) Tangent(dst, x, dx []float64) { s.Map(dst, dx) }
func (s linStepper) Adjoint(dst, x, l []float64) {
	dst[0] = s.a[0][0]*l[0] + s.a[1][0]*l[1]
	dst[1] = s.a[0][1]*l[0] + s.a[1][1]*l[1]
}

// simulateLin draws a truth of L states from g and observations of it.
func simulateLin(g *linModel, length int, h *Linear, times []int, r []float64, rng *rand.Rand) *Observations {
	x := make([]float64, 2)
	g.SamplePrior(x, rng)
	st := g.NewStepper()
	p := h.Outputs()
	o := &Observations{Times: times, Y: make([]float64, len(times)*p), R: r, H: h}
	j := 0
	for t := range length {
		if t > 0 {
			st.Map(x, x)
			for d := range 2 {
				x[d] += math.Sqrt(g.q) * rng.NormFloat64()
			}
		}
		if j < len(times) && times[j] == t {
			h.Apply(o.Y[j*p:(j+1)*p], x)
			for k := range p {
				o.Y[j*p+k] += math.Sqrt(r[k]) * rng.NormFloat64()
			}
			j++
		}
	}
	return o
}

// kalman holds the exact marginals of a linear-Gaussian window: filtered
// (after the analysis at observed states) and smoothed (RTS), per state.
type kalman struct {
	filtMean, smoothMean []*mat.VecDense
	filtCov, smoothCov   []*mat.Dense
}

// kalmanRTS runs the Kalman filter and the Rauch–Tung–Striebel smoother on
// g over a window of length states with observations o (linear h).
func kalmanRTS(g *linModel, length int, o *Observations, h *Linear) kalman {
	A := mat.NewDense(2, 2, []float64{g.a[0][0], g.a[0][1], g.a[1][0], g.a[1][1]})
	p := h.Outputs()
	H := mat.NewDense(p, 2, h.h)
	R := mat.NewDense(p, p, nil)
	for k := range p {
		R.Set(k, k, o.R[k])
	}
	k := kalman{
		filtMean: make([]*mat.VecDense, length), smoothMean: make([]*mat.VecDense, length),
		filtCov: make([]*mat.Dense, length), smoothCov: make([]*mat.Dense, length),
	}
	predMean := make([]*mat.VecDense, length)
	predCov := make([]*mat.Dense, length)
	idx := o.index(length)
	for t := range length {
		m, P := mat.NewVecDense(2, nil), mat.NewDense(2, 2, nil)
		if t == 0 {
			m.SetVec(0, g.m0[0])
			m.SetVec(1, g.m0[1])
			P.Set(0, 0, g.p0[0])
			P.Set(1, 1, g.p0[1])
		} else {
			m.MulVec(A, k.filtMean[t-1])
			P.Product(A, k.filtCov[t-1], A.T())
			P.Set(0, 0, P.At(0, 0)+g.q)
			P.Set(1, 1, P.At(1, 1)+g.q)
		}
		predMean[t], predCov[t] = mat.VecDenseCopyOf(m), mat.DenseCopyOf(P)
		if j := idx[t]; j >= 0 {
			var S, PHt, K mat.Dense
			PHt.Mul(P, H.T())
			S.Mul(H, &PHt)
			S.Add(&S, R)
			var Sinv mat.Dense
			if err := Sinv.Inverse(&S); err != nil {
				panic(err)
			}
			K.Mul(&PHt, &Sinv)
			innov := mat.NewVecDense(p, nil)
			innov.MulVec(H, m)
			innov.SubVec(mat.NewVecDense(p, o.Y[j*p:(j+1)*p]), innov)
			var dm mat.VecDense
			dm.MulVec(&K, innov)
			m.AddVec(m, &dm)
			var KHP mat.Dense
			KHP.Product(&K, H, P)
			P.Sub(P, &KHP)
		}
		k.filtMean[t], k.filtCov[t] = m, P
	}
	k.smoothMean[length-1], k.smoothCov[length-1] = k.filtMean[length-1], k.filtCov[length-1]
	for t := length - 2; t >= 0; t-- {
		var inv, G, tmp mat.Dense
		if err := inv.Inverse(predCov[t+1]); err != nil {
			panic(err)
		}
		tmp.Mul(k.filtCov[t], A.T())
		G.Mul(&tmp, &inv)
		var dm, corr mat.VecDense
		dm.SubVec(k.smoothMean[t+1], predMean[t+1])
		corr.MulVec(&G, &dm)
		m := mat.NewVecDense(2, nil)
		m.AddVec(k.filtMean[t], &corr)
		var dP, GdPGt mat.Dense
		dP.Sub(k.smoothCov[t+1], predCov[t+1])
		GdPGt.Product(&G, &dP, G.T())
		P := mat.NewDense(2, 2, nil)
		P.Add(k.filtCov[t], &GdPGt)
		k.smoothMean[t], k.smoothCov[t] = m, P
	}
	return k
}

// ensembleMoments returns the mean and covariance (divided by N − 1) of
// state t of an (N, L, D=2) ensemble.
func ensembleMoments(e []float64, n, length, t int) (mean [2]float64, cov [2][2]float64) {
	for i := range n {
		for d := range 2 {
			mean[d] += e[(i*length+t)*2+d] / float64(n)
		}
	}
	for i := range n {
		x := e[(i*length+t)*2 : (i*length+t)*2+2]
		for a := range 2 {
			for b := range 2 {
				cov[a][b] += (x[a] - mean[a]) * (x[b] - mean[b]) / float64(n-1)
			}
		}
	}
	return mean, cov
}
