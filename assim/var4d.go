package assim

import (
	"fmt"
	"math"
	"math/rand/v2"

	"sdapipe/dynamics"
	"sdapipe/optim"
)

// obsTerm evaluates the observation term of 4D-Var,
//
//	J_o = Σ_j ½·Σ_p (h(x_{t_j})_p − y_{j,p})² / R_p,
//
// state by state, with its gradient and Gauss–Newton Hessian.
type obsTerm struct {
	obs  *Observations
	idx  []int     // per state, the observation row or −1
	hx   []float64 // (P)
	g    []float64 // (P)
	jac  []float64 // (P, D) J_h
	p, d int
}

func newObsTerm(obs *Observations, length, d int) obsTerm {
	p := obs.P()
	return obsTerm{obs: obs, idx: obs.index(length), hx: make([]float64, p), g: make([]float64, p), jac: make([]float64, p*d), p: p, d: d}
}

// at returns state t's term of J_o at x and adds its gradient
// J_hᵀ·R⁻¹·(h(x) − y) into grad (length D).
func (o *obsTerm) at(grad, x []float64, t int) float64 {
	j := o.idx[t]
	if j < 0 {
		return 0
	}
	o.obs.H.Apply(o.hx, x)
	y := o.obs.Y[j*o.p : (j+1)*o.p]
	var c float64
	for q, v := range o.hx {
		e := v - y[q]
		o.g[q] = e / o.obs.R[q]
		c += e * o.g[q]
	}
	o.obs.H.VJP(grad, x, o.g)
	return 0.5 * c
}

// jacobian writes J_h(x), (P, D), into o.jac, row q = J_hᵀ·e_q.
func (o *obsTerm) jacobian(x []float64) {
	clear(o.jac)
	for q := range o.p {
		clear(o.g)
		o.g[q] = 1
		o.obs.H.VJP(o.jac[q*o.d:(q+1)*o.d], x, o.g)
	}
}

// addHessian adds the Gauss–Newton Hessian of state t's term,
// J_hᵀ·R⁻¹·J_h, into dst (D, D) if t is observed.
func (o *obsTerm) addHessian(dst, x []float64, t int) {
	if o.idx[t] < 0 {
		return
	}
	o.jacobian(x)
	d := o.d
	for a := range d {
		for b := range d {
			var s float64
			for q := range o.p {
				s += o.jac[q*d+a] * o.jac[q*d+b] / o.obs.R[q]
			}
			dst[a*d+b] += s
		}
	}
}

// Strong is strong-constraint 4D-Var over a window of L states: the model
// is taken as exact, x_{i+1} = M(x_i), so the control is the first state
// and the cost
//
//	J(x_0) = ½‖x_0 − x_b‖²_{B⁻¹} + Σ_j ½‖y_j − h(M^{t_j}(x_0))‖²_{R⁻¹}
//
// is minimised by L-BFGS with the gradient from the adjoint of the RK4 map
// (docs/method.md §1.1). A Strong belongs to one goroutine.
type Strong struct {
	st        dynamics.TangentStepper
	d, length int
	obs       obsTerm
	bg        *Background
	horizon   int       // states the cost covers, ≤ length (quasi-static stages)
	traj      []float64 // (L, D) the trajectory of the last Cost
	lam, tmp  []float64 // (D) adjoint state, scratch
	opt       *optim.LBFGS
	optSet    optim.Settings // the settings opt was made with
}

// NewStrong returns strong-constraint 4D-Var for windows of length states
// of m with observations obs and background bg. It returns an error
// wrapping ErrObservations or ErrConfig (a background of the wrong
// dimension, length < 1).
func NewStrong(m TangentModel, length int, obs *Observations, bg *Background) (*Strong, error) {
	d := stateSize(m)
	if err := checkVar(length, d, obs, bg); err != nil {
		return nil, err
	}
	return &Strong{
		st: m.NewTangentStepper(), d: d, length: length, horizon: length, obs: newObsTerm(obs, length, d), bg: bg,
		traj: make([]float64, length*d), lam: make([]float64, d), tmp: make([]float64, d),
	}, nil
}

func checkVar(length, d int, obs *Observations, bg *Background) error {
	if length < 1 {
		return configErr("window of %d states", length)
	}
	if bg == nil || bg.Dim() != d {
		return configErr("the background must be a distribution of states of %d variables", d)
	}
	return obs.Validate(length, d)
}

// Trajectory writes the model trajectory x_i = M^i(x_0), (L, D), into dst.
func (s *Strong) Trajectory(dst, x0 []float64) {
	if len(dst) != s.length*s.d || len(x0) != s.d {
		panic("assim: Strong.Trajectory needs dst (L, D) and x0 (D)")
	}
	copy(dst[:s.d], x0)
	for i := 1; i < s.length; i++ {
		s.st.Map(dst[i*s.d:(i+1)*s.d], dst[(i-1)*s.d:i*s.d])
	}
}

// Cost returns J(x0) and writes ∇J(x0) into grad (length D). The adjoint
// sweep runs backwards from the last state, λ_{L−1} = ∇_{x_{L−1}} J_o,
// λ_i = J_M(x_i)ᵀ·λ_{i+1} + ∇_{x_i} J_o, and ∇J = B⁻¹·(x_0 − x_b) + λ_0.
// A diverging trajectory gives +Inf.
func (s *Strong) Cost(grad, x0 []float64) float64 {
	d := s.d
	if len(grad) != d || len(x0) != d {
		panic("assim: Strong.Cost needs grad and x0 of length D")
	}
	h := s.horizon
	traj := s.traj[:h*d]
	copy(traj[:d], x0)
	for i := 1; i < h; i++ {
		s.st.Map(traj[i*d:(i+1)*d], traj[(i-1)*d:i*d])
	}
	if !isFinite(traj) {
		return math.Inf(1)
	}
	clear(s.lam)
	var j float64
	for i := h - 1; i >= 0; i-- {
		x := traj[i*d : (i+1)*d]
		if i < h-1 {
			s.st.Adjoint(s.tmp, x, s.lam)
			copy(s.lam, s.tmp)
		}
		j += s.obs.at(s.lam, x, i)
	}
	copy(grad, s.lam)
	return j + s.bg.cost(grad, x0, s.tmp)
}

// Minimize runs L-BFGS on J from x0 and leaves the optimum in x0.
func (s *Strong) Minimize(x0 []float64, set optim.Settings) (optim.Result, error) {
	if s.opt == nil || s.optSet != set {
		s.opt, s.optSet = optim.NewLBFGS(s.d, set), set
	}
	s.horizon = s.length
	return s.opt.Minimize(s.Cost, x0)
}

// MinimizeQuasiStatic minimises J by quasi-static variational assimilation
// (Pires, Vautard & Talagrand 1996): the window grows observation by
// observation — a stage ends at each observed state at least step states
// after the previous stage's end, and the last stage is the whole window
// — and each stage's L-BFGS starts from the previous optimum. Over long
// windows of a chaotic model the strong-constraint cost has many local
// minima whose basins shrink with the window length; growing the window
// keeps the iterate in the global minimum's basin. It returns the last
// stage's result, with Iter and Evals summed over the stages.
func (s *Strong) MinimizeQuasiStatic(x0 []float64, set optim.Settings, step int) (optim.Result, error) {
	if s.opt == nil || s.optSet != set {
		s.opt, s.optSet = optim.NewLBFGS(s.d, set), set
	}
	var total optim.Result
	last := 0
	for t := range s.length {
		if t < s.length-1 && (s.obs.idx[t] < 0 || t < last+step) {
			continue
		}
		s.horizon, last = t+1, t
		res, err := s.opt.Minimize(s.Cost, x0)
		if err != nil {
			s.horizon = s.length
			return res, err
		}
		res.Iter += total.Iter
		res.Evals += total.Evals
		total = res
	}
	s.horizon = s.length
	return total, nil
}

// Laplace writes n = len(dst)/(L·D) samples of the Laplace approximation
// of the posterior around the optimum x0 into dst, (n, L, D): initial
// states x_0 ~ N(x0, H⁻¹), with H the Gauss–Newton Hessian
//
//	H = B⁻¹ + Σ_j Φ_jᵀ·J_hᵀ·R⁻¹·J_h·Φ_j,   Φ_j = J_{M^{t_j}}(x0),
//
// each propagated through the model. Sample k takes D normal draws from
// rng. For a linear model and operator H⁻¹ is the exact posterior
// covariance of x_0. It returns an error wrapping ErrSingular if H is not
// positive definite, or ErrNonFinite if a sample trajectory diverges.
func (s *Strong) Laplace(dst, x0 []float64, rng *rand.Rand) error {
	d, length := s.d, s.length
	if len(x0) != d || len(dst)%(length*d) != 0 {
		panic("assim: Strong.Laplace needs x0 (D) and dst (n, L, D)")
	}
	s.Trajectory(s.traj, x0)
	// phi holds the tangent propagator column by column: phi[:, c] = Φ·e_c.
	hess, phi, col, g := make([]float64, d*d), make([]float64, d*d), make([]float64, d), make([]float64, d*d)
	copy(hess, s.bg.prec)
	for c := range d {
		phi[c*d+c] = 1
	}
	for i := range length {
		x := s.traj[i*d : (i+1)*d]
		if i > 0 {
			prev := s.traj[(i-1)*d : i*d]
			for c := range d {
				for r := range d {
					s.tmp[r] = phi[r*d+c]
				}
				s.st.Tangent(col, prev, s.tmp)
				for r := range d {
					phi[r*d+c] = col[r]
				}
			}
		}
		// Φᵀ·(J_hᵀR⁻¹J_h)·Φ
		clear(g)
		s.obs.addHessian(g, x, i)
		addCongruence(hess, g, phi, d)
	}
	if !cholesky(hess, d) {
		return fmt.Errorf("%w: Gauss–Newton Hessian of strong-constraint 4D-Var", ErrSingular)
	}
	size := length * d
	for k := range len(dst) / size {
		out := dst[k*size : (k+1)*size]
		z := out[:d]
		for i := range z {
			z[i] = rng.NormFloat64()
		}
		solveUpperT(hess, d, z)
		for i := range z {
			z[i] += x0[i]
		}
		s.Trajectory(out, z)
		if !isFinite(out) {
			return fmt.Errorf("%w: Laplace sample %d diverged", ErrNonFinite, k)
		}
	}
	return nil
}

// addCongruence adds Φᵀ·G·Φ into dst (all D×D).
func addCongruence(dst, g, phi []float64, d int) {
	for a := range d {
		for b := range d {
			var s float64
			for k := range d {
				for l := range d {
					s += phi[k*d+a] * g[k*d+l] * phi[l*d+b]
				}
			}
			dst[a*d+b] += s
		}
	}
}
