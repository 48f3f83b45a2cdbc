package assim

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// An Update selects the ensemble Kalman analysis.
type Update int

const (
	// PertObs is the stochastic EnKF: every member assimilates the
	// observations perturbed by its own draw from N(0, R) (Burgers, van
	// Leeuwen & Evensen 1998).
	PertObs Update = iota
	// Sqrt is the ensemble transform Kalman filter: a deterministic
	// update of the mean and the symmetric square root of the analysis
	// covariance in ensemble space (Hunt, Kostelich & Szunyogh 2007).
	Sqrt
)

func (u Update) String() string {
	switch u {
	case PertObs:
		return "PertObs"
	case Sqrt:
		return "Sqrt"
	}
	return fmt.Sprintf("Update(%d)", int(u))
}

// An analysis holds the scratch of ensemble Kalman analyses of N members
// against P observed values. Both updates take the form
//
//	E ← E + Z·(Yᵀ·E)
//
// where E (N × m) holds any per-member block (the current state for a
// filter, the whole path so far for a smoother), Y (N × P) the anomalies
// of the observed ensemble h(x_n) − mean, and Z (N × P) depends on the
// update (see prepare). Because Yᵀ·1 = 0, Yᵀ·E = Yᵀ·A for the anomalies A
// of E, and the update costs O(N·P·m) without forming N×N matrices.
type analysis struct {
	n, p int
	eo   []float64 // (N, P) h(x_n)
	y    []float64 // (N, P) anomalies Y
	z    []float64 // (N, P) the gain factor Z
	ybar []float64 // (P) mean of h(x_n)
	c, u []float64 // (P, P) scratch: C or Gram matrix, eigenvectors
	k    []float64 // (P, P)
	lam  []float64 // (P)
	v, w []float64 // (P) scratch
	yte  []float64 // (P, maxWidth) Yᵀ·E
	ebar []float64 // (maxWidth) the members' mean of a block
}

func newAnalysis(n, p, maxWidth int) *analysis {
	return &analysis{
		n: n, p: p,
		eo: make([]float64, n*p), y: make([]float64, n*p), z: make([]float64, n*p),
		ybar: make([]float64, p),
		c:    make([]float64, p*p), u: make([]float64, p*p), k: make([]float64, p*p),
		lam: make([]float64, p), v: make([]float64, p), w: make([]float64, p),
		yte: make([]float64, p*maxWidth), ebar: make([]float64, maxWidth),
	}
}

// observe fills eo with h of the members' current states, member n's at
// buf[n·stride+off : n·stride+off+D], and y with their anomalies.
func (a *analysis) observe(h StateOperator, buf []float64, stride, off int) {
	n, p, d := a.n, a.p, h.Dim()
	clear(a.ybar)
	for i := range n {
		row := a.eo[i*p : (i+1)*p]
		h.Apply(row, buf[i*stride+off:i*stride+off+d])
		for q, v := range row {
			a.ybar[q] += v
		}
	}
	for q := range a.ybar {
		a.ybar[q] /= float64(n)
	}
	for i := range n {
		for q := range p {
			a.y[i*p+q] = a.eo[i*p+q] - a.ybar[q]
		}
	}
}

// prepare computes Z for observation values yo with error variances r.
// PertObs draws N·P normal values from rng, member by member.
func (a *analysis) prepare(u Update, yo, r []float64, rng *rand.Rand) error {
	if u == PertObs {
		return a.preparePertObs(yo, r, rng)
	}
	a.prepareSqrt(yo, r)
	return nil
}

// preparePertObs sets Z = (y − D − Eo)·C⁻¹ with C = YᵀY + (N−1)·R, where
// the rows of D are draws from N(0, R), centred and rescaled by
// √(N/(N−1)) so that their sample covariance is unbiased, as DAPPER does.
// Then E + Z·Yᵀ·A = E + (y − D − Eo)·Kᵀ with the ensemble gain
// K = Aᵀ·Y·C⁻¹ (Burgers et al. 1998).
func (a *analysis) preparePertObs(yo, r []float64, rng *rand.Rand) error {
	n, p := a.n, a.p
	a.gram()
	for q := range p {
		a.c[q*p+q] += float64(n-1) * r[q]
	}
	if !cholesky(a.c, p) {
		return fmt.Errorf("%w: innovation covariance YᵀY + (N−1)R", ErrSingular)
	}
	clear(a.w)
	for i := range n {
		for q := range p {
			e := math.Sqrt(r[q]) * rng.NormFloat64()
			a.z[i*p+q] = e
			a.w[q] += e
		}
	}
	scale := math.Sqrt(float64(n) / float64(n-1))
	for q := range p {
		a.w[q] /= float64(n)
	}
	for i := range n {
		zi := a.z[i*p : (i+1)*p]
		for q := range p {
			zi[q] = yo[q] - scale*(zi[q]-a.w[q]) - a.eo[i*p+q]
		}
		cholSolve(a.c, p, zi)
	}
	return nil
}

// prepareSqrt sets Z for the ETKF. With S = Y·R^{-1/2}/√(N−1) and the
// eigendecomposition SᵀS = U·Λ·Uᵀ (P×P), the analysis
//
//	mean: x̄ ← x̄ + Aᵀ·S·(I + SᵀS)⁻¹·d̃/√(N−1),  d̃ = R^{-1/2}·(y − ȳ),
//	anomalies: A ← (I + S·Sᵀ)^{-1/2}·A = A + S·U·diag(c(λ))·Uᵀ·Sᵀ·A,
//	c(λ) = ((1+λ)^{-1/2} − 1)/λ = −1/(√(1+λ)·(1 + √(1+λ))),
//
// is E ← E + Z·Yᵀ·E with Z = 1·mᵀ + Y·K, where
// m = R^{-1/2}·U·diag(1/(1+λ))·Uᵀ·d̃/(N−1) and
// K = R^{-1/2}·U·diag(c(λ))·Uᵀ·R^{-1/2}/(N−1). (I + S·Sᵀ)^{-1/2} is the
// symmetric square root, so the transform is mean-preserving (Hunt et
// al. 2007, eq. 20–24; Sakov & Oke 2008).
func (a *analysis) prepareSqrt(yo, r []float64) {
	n, p := a.n, a.p
	nm1 := float64(n - 1)
	a.gram()
	for q := range p {
		for s := range p {
			a.c[q*p+s] /= nm1 * math.Sqrt(r[q]*r[s])
		}
	}
	symEigen(a.c, a.u, a.lam, p)
	// v = Uᵀ·d̃, then w = R^{-1/2}·U·diag(1/(1+λ))·v/(N−1) = m.
	for s := range p {
		var t float64
		for q := range p {
			t += a.u[q*p+s] * (yo[q] - a.ybar[q]) / math.Sqrt(r[q])
		}
		a.v[s] = t / (1 + math.Max(a.lam[s], 0))
	}
	for q := range p {
		var t float64
		for s := range p {
			t += a.u[q*p+s] * a.v[s]
		}
		a.w[q] = t / (math.Sqrt(r[q]) * nm1)
	}
	for q := range p {
		for s := range p {
			var t float64
			for l := range p {
				lam := math.Max(a.lam[l], 0) // SᵀS is PSD; clip rounding
				sq := math.Sqrt(1 + lam)
				t += a.u[q*p+l] * a.u[s*p+l] * (-1 / (sq * (1 + sq)))
			}
			a.k[q*p+s] = t / (nm1 * math.Sqrt(r[q]*r[s]))
		}
	}
	for i := range n {
		for q := range p {
			t := a.w[q]
			for s := range p {
				t += a.y[i*p+s] * a.k[s*p+q]
			}
			a.z[i*p+q] = t
		}
	}
}

// gram writes YᵀY into c.
func (a *analysis) gram() {
	n, p := a.n, a.p
	clear(a.c)
	for i := range n {
		yi := a.y[i*p : (i+1)*p]
		for q, v := range yi {
			for s := q; s < p; s++ {
				a.c[q*p+s] += v * yi[s]
			}
		}
	}
	for q := range p {
		for s := range q {
			a.c[q*p+s] = a.c[s*p+q]
		}
	}
}

// apply updates the block of width values of every member, member n's at
// buf[n·stride+off : n·stride+off+width]: E ← E + Z·(Yᵀ·A), where A are
// the block's anomalies. One pass accumulates Yᵀ·E and the block mean ē,
// and Yᵀ·A = Yᵀ·E − (Yᵀ·1)·ē removes the rounding residue of Yᵀ·1 = 0
// (exactly zero in exact arithmetic), so a large mean against a small
// spread costs no accuracy beyond |ē|/spread ulps.
func (a *analysis) apply(buf []float64, stride, off, width int) {
	n, p := a.n, a.p
	m, ebar := a.yte[:p*width], a.ebar[:width]
	clear(m)
	clear(ebar)
	clear(a.v)
	for i := range n {
		row := buf[i*stride+off : i*stride+off+width]
		for k, v := range row {
			ebar[k] += v
		}
		for q := range p {
			yiq := a.y[i*p+q]
			a.v[q] += yiq
			mq := m[q*width : (q+1)*width]
			for k, v := range row {
				mq[k] += yiq * v
			}
		}
	}
	for q := range p {
		mq := m[q*width : (q+1)*width]
		for k := range mq {
			mq[k] -= a.v[q] * ebar[k] / float64(n)
		}
	}
	for i := range n {
		row := buf[i*stride+off : i*stride+off+width]
		for q := range p {
			ziq := a.z[i*p+q]
			mq := m[q*width : (q+1)*width]
			for k := range row {
				row[k] += ziq * mq[k]
			}
		}
	}
}

// blockMean writes the members' mean of a block into dst (length width).
func blockMean(dst, buf []float64, n, stride, off int) {
	clear(dst)
	for i := range n {
		row := buf[i*stride+off : i*stride+off+len(dst)]
		for k, v := range row {
			dst[k] += v
		}
	}
	for k := range dst {
		dst[k] /= float64(n)
	}
}
