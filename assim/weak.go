package assim

import (
	"fmt"
	"math"
	"math/rand/v2"

	"sdapipe/dynamics"
	"sdapipe/optim"
)

// Weak is weak-constraint 4D-Var over a window of L states: the control is
// the whole trajectory x = (x_0, …, x_{L−1}) and the model holds only up to
// the chain's transition noise, Q = q·I (docs/method.md §1.1), so
//
//	J(x) = ½‖x_0 − x_b‖²_{B⁻¹} + Σ_{i<L−1} ‖x_{i+1} − M(x_i)‖² / (2q)
//	     + Σ_j ½‖y_j − h(x_{t_j})‖²_{R⁻¹},
//
// which is −log p(x_0) − log p(x_{1:L−1} | x_0) − log p(y | x) up to a
// constant: its minimiser is the posterior mode (MAP trajectory). With the
// background IsotropicBackground(x_b, ½) it is the objective of the
// multi-modal demo of docs/method.md §4.3, ‖x_1 − x_b‖² − log p(x_{2:L} |
// x_1) − log p(y | x), up to constants. A Weak belongs to one goroutine.
type Weak struct {
	st        dynamics.TangentStepper
	d, length int
	q         float64
	obs       obsTerm
	bg        *Background
	mx, tmp   []float64 // (D) M(x_i), scratch
	opt       *optim.LBFGS
	optSet    optim.Settings
}

// NewWeak returns weak-constraint 4D-Var for windows of length states of m,
// with q = m.NoiseVar(), observations obs and background bg. It returns an
// error wrapping ErrConfig (q ≤ 0: use Strong for an exact model; a
// background of the wrong dimension) or ErrObservations.
func NewWeak(m TangentModel, length int, obs *Observations, bg *Background) (*Weak, error) {
	d := stateSize(m)
	if err := checkVar(length, d, obs, bg); err != nil {
		return nil, err
	}
	q := m.NoiseVar()
	if !(q > 0) || math.IsInf(q, 0) {
		return nil, configErr("weak-constraint 4D-Var needs a model-error variance q > 0, got %v", q)
	}
	return &Weak{
		st: m.NewTangentStepper(), d: d, length: length, q: q, obs: newObsTerm(obs, length, d), bg: bg,
		mx: make([]float64, d), tmp: make([]float64, d),
	}, nil
}

// Cost returns J(x) for a trajectory x, (L, D), and writes ∇J into grad
// (L, D): for each transition i with residual r_i = (x_{i+1} − M(x_i))/q,
// ∇_{x_{i+1}} += r_i and ∇_{x_i} −= J_M(x_i)ᵀ·r_i, plus the background's
// and the observations' gradients. It returns +Inf if M(x_i) is not
// finite.
func (w *Weak) Cost(grad, x []float64) float64 {
	d := w.d
	if len(grad) != w.length*d || len(x) != w.length*d {
		panic("assim: Weak.Cost needs grad and x of shape (L, D)")
	}
	clear(grad)
	j := w.bg.cost(grad[:d], x[:d], w.tmp)
	for i := range w.length {
		xi, gi := x[i*d:(i+1)*d], grad[i*d:(i+1)*d]
		j += w.obs.at(gi, xi, i)
		if i == w.length-1 {
			break
		}
		w.st.Map(w.mx, xi)
		var ss float64
		for k := range d {
			r := (x[(i+1)*d+k] - w.mx[k]) / w.q
			w.mx[k] = r
			grad[(i+1)*d+k] += r
			ss += r * r
		}
		j += 0.5 * w.q * ss
		w.st.Adjoint(w.tmp, xi, w.mx)
		for k := range d {
			gi[k] -= w.tmp[k]
		}
	}
	if math.IsNaN(j) {
		return math.Inf(1)
	}
	return j
}

// Minimize runs L-BFGS on J from the trajectory x, (L, D), and leaves the
// optimum in x. The multi-modal demo starts it from SDA samples.
func (w *Weak) Minimize(x []float64, set optim.Settings) (optim.Result, error) {
	if w.opt == nil || w.optSet != set {
		w.opt, w.optSet = optim.NewLBFGS(w.length*w.d, set), set
	}
	return w.opt.Minimize(w.Cost, x)
}

// Laplace writes n = len(dst)/(L·D) samples of the Laplace approximation
// of the posterior around the trajectory x (the optimum) into dst,
// (n, L, D): x + δ with δ ~ N(0, H⁻¹), H the Gauss–Newton Hessian of J,
// block tridiagonal with D×D blocks
//
//	H_{ii}   = [i = 0]·B⁻¹ + [i > 0]·I/q + [i < L−1]·J_iᵀJ_i/q + J_hᵀR⁻¹J_h (observed i),
//	H_{i+1,i} = −J_i/q,   J_i = J_M(x_i).
//
// It is factored by block Cholesky, H = L·Lᵀ, in O(L·D³), and δ = L⁻ᵀ·z
// for L·D standard normal draws z per sample from rng. For a linear model
// and operator the optimum is the smoothing mean and H⁻¹ the smoothing
// covariance exactly, so the samples are exact posterior draws. It returns
// an error wrapping ErrSingular if H is not positive definite.
func (w *Weak) Laplace(dst, x []float64, rng *rand.Rand) error {
	d, length := w.d, w.length
	size := length * d
	if len(x) != size || len(dst)%size != 0 {
		panic("assim: Weak.Laplace needs x (L, D) and dst (n, L, D)")
	}
	ldiag, lsub, err := w.factor(x)
	if err != nil {
		return err
	}
	dd := d * d
	for k := range len(dst) / size {
		out := dst[k*size : (k+1)*size]
		for i := range out {
			out[i] = rng.NormFloat64()
		}
		// Solve Lᵀ·δ = z from the last block up:
		// δ_i = L_i⁻ᵀ·(z_i − C_{i+1}ᵀ·δ_{i+1}).
		for i := length - 1; i >= 0; i-- {
			zi := out[i*d : (i+1)*d]
			if i < length-1 {
				c, next := lsub[(i+1)*dd:(i+2)*dd], out[(i+1)*d:(i+2)*d]
				for a := range d {
					var s float64
					for b := range d {
						s += c[b*d+a] * next[b]
					}
					zi[a] -= s
				}
			}
			solveUpperT(ldiag[i*dd:(i+1)*dd], d, zi)
		}
		for i := range out {
			out[i] += x[i]
		}
	}
	return nil
}

// factor returns the block Cholesky factor of the Gauss–Newton Hessian at
// x: the diagonal blocks L_i and the sub-diagonal blocks C_i (block (i,
// i−1); C_0 unused), each (L, D, D).
func (w *Weak) factor(x []float64) (ldiag, lsub []float64, err error) {
	d, length := w.d, w.length
	dd := d * d
	ldiag, lsub = make([]float64, length*dd), make([]float64, length*dd)
	jac, e := make([]float64, dd), make([]float64, d)
	for i := range length {
		a := ldiag[i*dd : (i+1)*dd]
		if i == 0 {
			copy(a, w.bg.prec)
		} else {
			for k := range d {
				a[k*d+k] += 1 / w.q
			}
		}
		w.obs.addHessian(a, x[i*d:(i+1)*d], i)
		if i > 0 {
			// C_i = (−J_{i−1}/q)·L_{i−1}⁻ᵀ, row by row: L_{i−1}·c = b.
			c, prev := lsub[i*dd:(i+1)*dd], ldiag[(i-1)*dd:i*dd]
			for r := range d {
				row := c[r*d : (r+1)*d]
				for k := range d {
					row[k] = -jac[r*d+k] / w.q
				}
				solveLower(prev, d, row)
			}
			// A_i − C_i·C_iᵀ
			for r := range d {
				for s := range d {
					var t float64
					for k := range d {
						t += c[r*d+k] * c[s*d+k]
					}
					a[r*d+s] -= t
				}
			}
		}
		if i < length-1 {
			// jac = J_M(x_i), column by column; add J_iᵀJ_i/q.
			xi := x[i*d : (i+1)*d]
			for k := range d {
				clear(e)
				e[k] = 1
				w.st.Tangent(w.tmp, xi, e)
				for r := range d {
					jac[r*d+k] = w.tmp[r]
				}
			}
			for r := range d {
				for s := range d {
					var t float64
					for k := range d {
						t += jac[k*d+r] * jac[k*d+s]
					}
					a[r*d+s] += t / w.q
				}
			}
		}
		if !cholesky(a, d) {
			return nil, nil, fmt.Errorf("%w: Gauss–Newton Hessian of weak-constraint 4D-Var, block %d", ErrSingular, i)
		}
	}
	return ldiag, lsub, nil
}
