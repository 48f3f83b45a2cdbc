package diffusion

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// This file holds the exactly solvable models of the tests: Gaussian
// autoregressive chains, their joint laws in closed form, and the exact
// denoiser of any Gaussian law.

// arChain is the D-dimensional Gaussian Markov chain of order K
//
//	x_i = Σ_{j=1..K} A_j x_{i−j} + c + w_i,   w_i ~ N(0, q I),
//
// started from its stationary law.
type arChain struct {
	D int
	A []*mat.Dense // K matrices (D, D); the companion matrix must be stable
	c []float64
	q float64
}

// companion returns F (KD, KD) of the first-order form z_{i+1} = F z_i + …,
// z_i = (x_i, x_{i−1}, …, x_{i−K+1}).
func (ch arChain) companion() *mat.Dense {
	k, d := len(ch.A), ch.D
	f := mat.NewDense(k*d, k*d, nil)
	for j, a := range ch.A {
		f.Slice(0, d, j*d, (j+1)*d).(*mat.Dense).Copy(a)
	}
	for i := d; i < k*d; i++ {
		f.Set(i, i-d, 1)
	}
	return f
}

// mean returns the stationary mean (I − Σ A_j)⁻¹ c.
func (ch arChain) mean() []float64 {
	m := mat.NewDense(ch.D, ch.D, nil)
	for i := range ch.D {
		m.Set(i, i, 1)
	}
	for _, a := range ch.A {
		m.Sub(m, a)
	}
	var out mat.VecDense
	if err := out.SolveVec(m, mat.NewVecDense(ch.D, append([]float64(nil), ch.c...))); err != nil {
		panic(err)
	}
	return out.RawVector().Data
}

// joint returns the stationary joint law N(m, S) of l consecutive states,
// flattened state-major (l·D values).
func (ch arChain) joint(l int) ([]float64, *mat.SymDense) {
	k, d := len(ch.A), ch.D
	f := ch.companion()
	// Stationary covariance of z: P = F P Fᵀ + Q by Smith's doubling,
	// P ← P + Fⁿ P Fⁿᵀ, Fⁿ ← Fⁿ Fⁿ; 40 doublings reach F^(2^40) ≈ 0.
	p := mat.NewDense(k*d, k*d, nil)
	for i := range d {
		p.Set(i, i, ch.q)
	}
	fn := mat.DenseCopyOf(f)
	var tmp, tmp2 mat.Dense
	for range 40 {
		tmp.Mul(fn, p)
		tmp2.Mul(&tmp, fn.T())
		p.Add(p, &tmp2)
		tmp.Mul(fn, fn)
		fn.Copy(&tmp)
	}
	// Autocovariances Γ(h) = cov(x_{i+h}, x_i): top-left block of F^h P.
	gam := make([]*mat.Dense, l)
	fh := mat.DenseCopyOf(p)
	for h := range l {
		gam[h] = mat.DenseCopyOf(fh.Slice(0, d, 0, d))
		tmp.Mul(f, fh)
		fh.Copy(&tmp)
	}
	s := mat.NewSymDense(l*d, nil)
	for i := range l {
		for j := 0; j <= i; j++ {
			for a := range d {
				for b := range d {
					s.SetSym(i*d+a, j*d+b, gam[i-j].At(a, b)) // cov(x_i[a], x_j[b])
				}
			}
		}
	}
	mu := ch.mean()
	m := make([]float64, l*d)
	for i := range m {
		m[i] = mu[i%d]
	}
	return m, s
}

// gaussDen is the exact denoiser of the law N(m, S) on events of len(m)
// values under sched:
//
//	ε(x_t) = σ Σ_t⁻¹ (x_t − μ m),   Σ_t = μ² S + σ² I,
//
// and, ∂ε/∂x being the symmetric σ Σ_t⁻¹, wᵀ ∂ε/∂x = σ Σ_t⁻¹ w. It works in
// float64 and rounds its outputs to float32.
type gaussDen struct {
	m     []float64
	s     *mat.SymDense
	sched Schedule

	cache map[float32]*mat.Dense // σ Σ_t⁻¹ by t
	calls int                    // Eps and EpsVJP calls
	rows  int                    // events in the last call
}

func newGaussDen(m []float64, s *mat.SymDense, sched Schedule) *gaussDen {
	return &gaussDen{m: m, s: s, sched: sched, cache: map[float32]*mat.Dense{}}
}

// op returns σ Σ_t⁻¹ and μ at t.
func (g *gaussDen) op(t float32) (*mat.Dense, float64) {
	mu, sigma := g.sched.Mu(float64(t)), g.sched.Sigma(float64(t))
	if p, ok := g.cache[t]; ok {
		return p, mu
	}
	e := len(g.m)
	st := mat.NewSymDense(e, nil)
	st.ScaleSym(mu*mu, g.s)
	for i := range e {
		st.SetSym(i, i, st.At(i, i)+sigma*sigma)
	}
	var ch mat.Cholesky
	if !ch.Factorize(st) {
		panic(fmt.Sprintf("gaussDen: Σ_t not positive definite at t = %g", t))
	}
	var inv mat.SymDense
	if err := ch.InverseTo(&inv); err != nil {
		panic(err)
	}
	p := mat.DenseCopyOf(&inv)
	p.Scale(sigma, p)
	if len(g.cache) > 64 {
		clear(g.cache)
	}
	g.cache[t] = p
	return p, mu
}

// apply writes P·(x − shift·m) for each event, P from op.
func (g *gaussDen) apply(dst, x []float32, n int, p *mat.Dense, shift float64) {
	e := len(g.m)
	if len(x) != n*e || len(dst) != n*e {
		panic("gaussDen: length mismatch")
	}
	xm := mat.NewDense(n, e, nil)
	for b := range n {
		for i := range e {
			xm.Set(b, i, float64(x[b*e+i])-shift*g.m[i])
		}
	}
	var out mat.Dense
	out.Mul(xm, p) // P symmetric: rows times P = (P·row)ᵀ
	for b := range n {
		for i := range e {
			dst[b*e+i] = float32(out.At(b, i))
		}
	}
}

func (g *gaussDen) Eps(dst, x []float32, n int, t float32) {
	g.calls++
	g.rows = n
	p, mu := g.op(t)
	g.apply(dst, x, n, p, mu)
}

func (g *gaussDen) EpsVJP(eps, grad, x []float32, n int, t float32, cot func(eps, w []float32)) {
	g.Eps(eps, x, n, t)
	w := make([]float32, len(eps))
	cot(eps, w)
	p, _ := g.op(t)
	g.apply(grad, w, n, p, 0)
}

// posterior returns the law of x ~ N(m, S) given y = H x + N(0, std² I):
//
//	Σ_p = (S⁻¹ + HᵀH/std²)⁻¹,   m_p = Σ_p (S⁻¹ m + Hᵀ y / std²).
func posterior(m []float64, s *mat.SymDense, h *mat.Dense, y []float64, std float64) ([]float64, *mat.SymDense) {
	e := len(m)
	var ch mat.Cholesky
	if !ch.Factorize(s) {
		panic("posterior: prior covariance not positive definite")
	}
	var prec mat.SymDense
	if err := ch.InverseTo(&prec); err != nil {
		panic(err)
	}
	var hth mat.Dense
	hth.Mul(h.T(), h)
	pp := mat.NewSymDense(e, nil)
	for i := range e {
		for j := 0; j <= i; j++ {
			pp.SetSym(i, j, prec.At(i, j)+hth.At(i, j)/(std*std))
		}
	}
	var rhs, hty mat.VecDense
	rhs.MulVec(&prec, mat.NewVecDense(e, append([]float64(nil), m...)))
	hty.MulVec(h.T(), mat.NewVecDense(len(y), append([]float64(nil), y...)))
	rhs.AddScaledVec(&rhs, 1/(std*std), &hty)
	var pch mat.Cholesky
	if !pch.Factorize(pp) {
		panic("posterior: posterior precision not positive definite")
	}
	sp := mat.NewSymDense(e, nil)
	if err := pch.InverseTo(sp); err != nil {
		panic(err)
	}
	var mp mat.VecDense
	mp.MulVec(sp, &rhs)
	return mp.RawVector().Data, sp
}

// sampleGaussian draws n events from N(m, S) in float64.
func sampleGaussian(m []float64, s *mat.SymDense, n int, rng *rand.Rand) [][]float64 {
	var ch mat.Cholesky
	if !ch.Factorize(s) {
		panic("sampleGaussian: covariance not positive definite")
	}
	var l mat.TriDense
	ch.LTo(&l)
	e := len(m)
	out := make([][]float64, n)
	z := mat.NewVecDense(e, nil)
	for b := range out {
		for i := range e {
			z.SetVec(i, rng.NormFloat64())
		}
		var v mat.VecDense
		v.MulVec(&l, z)
		out[b] = make([]float64, e)
		for i := range e {
			out[b][i] = m[i] + v.AtVec(i)
		}
	}
	return out
}

// moments returns the sample mean and variance (divide by n−1) of each of
// the e coordinates of n events in x.
func moments(x []float32, n int) (mean, variance []float64) {
	e := len(x) / n
	mean, variance = make([]float64, e), make([]float64, e)
	for b := range n {
		for i := range e {
			mean[i] += float64(x[b*e+i])
		}
	}
	for i := range mean {
		mean[i] /= float64(n)
	}
	for b := range n {
		for i := range e {
			d := float64(x[b*e+i]) - mean[i]
			variance[i] += d * d
		}
	}
	for i := range variance {
		variance[i] /= float64(n - 1)
	}
	return mean, variance
}

// relGap returns ‖a − b‖ / ‖b‖.
func relGap(a, b []float32) float64 {
	var num, den float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		num += d * d
		den += float64(b[i]) * float64(b[i])
	}
	return math.Sqrt(num / den)
}
