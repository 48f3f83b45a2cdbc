package assim

import (
	"math"
	"math/rand/v2"
	"slices"
)

// PFConfig configures the regularised particle filter.
type PFConfig struct {
	// NER resamples when the effective sample size N_eff = 1/Σw² falls to
	// NER·N or below (0 < NER ≤ 1; 1 resamples at every analysis).
	NER float64
	// Reg scales the jitter added to duplicated particles after
	// resampling: N(0, (Reg·h)²·Σ_w) with h = N^{−1/(D+4)} (Scott's rule)
	// and Σ_w the weighted covariance before resampling. 0 adds none.
	Reg float64
}

// PF is a bootstrap particle filter (sequential importance resampling)
// advanced step by step, with the two devices that let it run without
// model noise: weights carried between analyses, with systematic
// resampling only when the effective sample size is low, and
// regularisation — Gaussian jitter of the duplicated particles after
// resampling (Doucet, de Freitas & Gordon 2001, §12.2.2; DAPPER's PartFilt
// with its reg and NER). Unlike package filters' BPF, which returns whole
// smoothing paths of one window, PF keeps only the current weighted
// particles, for long cycling runs such as the DAPPER benchmark. It
// belongs to one goroutine.
type PF struct {
	cfg  PFConfig
	n, d int
	x    []float64 // (N, D) particles
	w    []float64 // (N) normalised weights
	fc   forecaster
	hx   []float64 // (P) scratch
	idx  []int     // (N) resampled indices
	tmp  []float64 // (N, D) scratch
	cov  []float64 // (D, D) jitter covariance, then eigenvectors
	vec  []float64 // (D, D)
	lam  []float64 // (D)
	z    []float64 // (D)
	mean []float64 // (D)
	ess  float64
}

// NewPF returns a particle filter whose particles are a copy of x0,
// (N, D), with equal weights. It panics if len(x0) is not a multiple of D
// and returns an error wrapping ErrConfig for fewer than 2 particles, NER
// outside (0, 1] or a negative Reg.
func NewPF(m Model, x0 []float64, cfg PFConfig) (*PF, error) {
	d := stateSize(m)
	if d < 1 || len(x0)%d != 0 {
		panic("assim: NewPF needs x0 of shape (N, D)")
	}
	n := len(x0) / d
	switch {
	case n < 2:
		return nil, configErr("%d particles, want at least 2", n)
	case !(cfg.NER > 0 && cfg.NER <= 1):
		return nil, configErr("NER = %v, want 0 < NER ≤ 1", cfg.NER)
	case !(cfg.Reg >= 0) || math.IsInf(cfg.Reg, 0):
		return nil, configErr("Reg = %v, want a finite value ≥ 0", cfg.Reg)
	}
	p := &PF{
		cfg: cfg, n: n, d: d, x: slices.Clone(x0), w: make([]float64, n), fc: newForecaster(m),
		idx: make([]int, n), tmp: make([]float64, n*d),
		cov: make([]float64, d*d), vec: make([]float64, d*d), lam: make([]float64, d),
		z: make([]float64, d), mean: make([]float64, d), ess: float64(n),
	}
	for i := range p.w {
		p.w[i] = 1 / float64(n)
	}
	return p, nil
}

// Particles returns the current particles, (N, D), and Weights their
// normalised weights; both are the filter's own slices.
func (p *PF) Particles() []float64 { return p.x }

// Weights returns the normalised weights, (N).
func (p *PF) Weights() []float64 { return p.w }

// ESS returns the effective sample size 1/Σw² after the last Reweight.
func (p *PF) ESS() float64 { return p.ess }

// Mean writes the weighted mean Σ w_i·x_i into dst (length D).
func (p *PF) Mean(dst []float64) {
	if len(dst) != p.d {
		panic("assim: PF.Mean needs len(dst) = D")
	}
	clear(dst)
	for i, wi := range p.w {
		for k := range p.d {
			dst[k] += wi * p.x[i*p.d+k]
		}
	}
}

// Forecast advances every particle one transition, as Filter.Forecast.
func (p *PF) Forecast(rng *rand.Rand) error {
	for i := range p.n {
		x := p.x[i*p.d : (i+1)*p.d]
		p.fc.step(x, x, rng)
	}
	return checkMembers(p.x, p.n, p.d, 0, p.d, 0)
}

// Reweight multiplies the weights by the likelihood of y = h(x) + ε,
// ε ~ N(0, diag(r)), and normalises them (in log space, so that weights
// far below the largest underflow to zero harmlessly). It panics on length
// mismatches.
func (p *PF) Reweight(h StateOperator, y, r []float64) {
	q := h.Outputs()
	if len(y) != q || len(r) != q || h.Dim() != p.d {
		panic("assim: PF.Reweight needs len(y) = len(r) = P and h of dimension D")
	}
	if len(p.hx) != q {
		p.hx = make([]float64, q)
	}
	best := math.Inf(-1)
	for i := range p.n {
		h.Apply(p.hx, p.x[i*p.d:(i+1)*p.d])
		var chi2 float64
		for k, v := range p.hx {
			e := y[k] - v
			chi2 += e * e / r[k]
		}
		p.w[i] = math.Log(p.w[i]) - 0.5*chi2
		best = max(best, p.w[i])
	}
	var s float64
	for i, lw := range p.w {
		p.w[i] = math.Exp(lw - best)
		s += p.w[i]
	}
	var s2 float64
	for i := range p.w {
		p.w[i] /= s
		s2 += p.w[i] * p.w[i]
	}
	p.ess = 1 / s2
}

// Resample resamples if ESS() ≤ NER·N and reports whether it did:
// systematic resampling (one uniform draw from rng), then every particle
// that was drawn more than once gets jitter from N(0, (Reg·h)²·Σ_w) (D
// normal draws each, in particle order), and the weights become equal.
// Σ_w is the weighted covariance with the unbiasing factor 1/(1 − Σw²),
// or the unweighted one when a single particle holds all the weight.
func (p *PF) Resample(rng *rand.Rand) bool {
	if p.ess > p.cfg.NER*float64(p.n) {
		return false
	}
	p.jitterCov()
	systematic(p.idx, p.w, rng.Float64())
	for i, j := range p.idx {
		copy(p.tmp[i*p.d:(i+1)*p.d], p.x[j*p.d:(j+1)*p.d])
	}
	p.x, p.tmp = p.tmp, p.x
	for i, j := range p.idx {
		if (i > 0 && p.idx[i-1] == j) || (i+1 < p.n && p.idx[i+1] == j) {
			p.jitter(p.x[i*p.d:(i+1)*p.d], rng)
		}
	}
	for i := range p.w {
		p.w[i] = 1 / float64(p.n)
	}
	return true
}

// jitterCov sets cov's eigendecomposition (vec, lam) to that of the
// jitter covariance (Reg·h)²·Σ_w.
func (p *PF) jitterCov() {
	d, n := p.d, p.n
	w := p.w
	uniform := 1-slices.Max(w) < 1e-10
	wt := func(i int) float64 {
		if uniform {
			return 1 / float64(n)
		}
		return w[i]
	}
	clear(p.mean)
	var s2 float64
	for i := range n {
		for k := range d {
			p.mean[k] += wt(i) * p.x[i*d+k]
		}
		s2 += wt(i) * wt(i)
	}
	bw := p.cfg.Reg * math.Pow(float64(n), -1/float64(d+4))
	scale := bw * bw / (1 - s2)
	clear(p.cov)
	for i := range n {
		xi := p.x[i*d : (i+1)*d]
		for a := range d {
			for b := range d {
				p.cov[a*d+b] += wt(i) * (xi[a] - p.mean[a]) * (xi[b] - p.mean[b])
			}
		}
	}
	for k := range p.cov {
		p.cov[k] *= scale
	}
	symEigen(p.cov, p.vec, p.lam, d)
}

// jitter adds V·(√λ ⊙ z) to x, z standard normal: a draw from N(0, Σ)
// with Σ = V·diag(λ)·Vᵀ, negative rounding in λ clipped to zero.
func (p *PF) jitter(x []float64, rng *rand.Rand) {
	for k := range p.d {
		p.z[k] = math.Sqrt(math.Max(p.lam[k], 0)) * rng.NormFloat64()
	}
	for a := range p.d {
		for k := range p.d {
			x[a] += p.vec[a*p.d+k] * p.z[k]
		}
	}
}

// systematic writes the indices of systematic resampling of the
// normalised weights w into idx (sorted): idx[j] is the first i whose
// cumulative weight reaches (u + j)/N, u in [0, 1).
func systematic(idx []int, w []float64, u float64) {
	n := len(w)
	var cum float64
	i := 0
	for j := range idx {
		target := (u + float64(j)) / float64(n)
		for i < n-1 && cum+w[i] < target {
			cum += w[i]
			i++
		}
		idx[j] = i
	}
}
