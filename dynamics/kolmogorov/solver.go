package kolmogorov

import (
	"math"

	"sdapipe/internal/fft"
)

// A Solver steps the 2-D incompressible Navier–Stokes equations
//
//	∂u/∂t + (u·∇)u = −∇p + ν∇²u + (A sin(k y), 0) − α u,   ∇·u = 0,
//
// on the periodic square [0, 2π]² with jax-cfd's finite-volume scheme
// (docs/method.md §1.2): a staggered (MAC) grid, van Leer-limited
// Lax–Wendroff advection fluxes, a 5-point Laplacian for diffusion,
// forward Euler in time, then a projection onto discretely
// divergence-free fields with an exact FFT Poisson solve.
//
// A velocity field is a (2, N, N) array, channel-major: channel 0 is u
// (the x component) and channel 1 is v; within a channel axis 0 is x and
// axis 1 is y, so u[i, j] is element i·N + j. The staggered positions are
// u[i, j] at ((i+1)h, (j+½)h) and v[i, j] at ((i+½)h, (j+1)h), h = 2π/N;
// the stored states treat them as co-located, as the reference does.
//
// A Solver holds scratch space and belongs to one goroutine.
type Solver struct {
	cfg       Config
	n         int
	dt, lam   float64   // time step and dt/h
	nu2       float64   // ν/h²
	force     []float64 // A·sin(k·(j+½)h), the x-force on row j of u
	zeros     []float64 // the y-force, N zeros
	plan      *fft.Plan2D
	invLap    []float64 // 1/λ(kx, ky) of the 5-point Laplacian (h = 1), 0 at k = 0
	star      []float64 // (2, N, N) predictor
	q         []float64 // N×N divergence, then pressure
	spec      []complex128
	rows      [4][]float64 // padded row scratch, N+3 each
	fprev, fx []float64    // x-fluxes of the previous and current row
	coarse    []float64    // (2, R, R) output scratch
	fine      []float64    // (2, N, N) Forecast state
}

// NewSolver returns a solver for cfg. It returns an error wrapping
// ErrParams if cfg is invalid.
func NewSolver(cfg Config) (*Solver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := cfg.Grid
	h := cfg.Spacing()
	s := &Solver{
		cfg:    cfg,
		n:      n,
		dt:     cfg.TimeStep(),
		nu2:    cfg.Viscosity() / (h * h),
		force:  make([]float64, n),
		zeros:  make([]float64, n),
		plan:   fft.NewPlan2D(n),
		star:   make([]float64, 2*n*n),
		q:      make([]float64, n*n),
		fprev:  make([]float64, n),
		fx:     make([]float64, n),
		coarse: make([]float64, cfg.StateLen()),
		fine:   make([]float64, 2*n*n),
	}
	s.lam = s.dt / h
	for j := range n {
		s.force[j] = cfg.ForcingAmplitude * math.Sin(float64(cfg.ForcingWavenumber)*(float64(j)+0.5)*h)
	}
	s.spec = make([]complex128, s.plan.SpectrumLen())
	s.invLap = inverseLaplacian(n)
	for k := range s.rows {
		s.rows[k] = make([]float64, n+3)
	}
	return s, nil
}

// inverseLaplacian returns 1/λ for the eigenvalues
// λ = 2cos(2πkx/N) + 2cos(2πky/N) − 4 of the periodic 5-point Laplacian
// with unit spacing, laid out as an rfft2 spectrum, with 0 for the
// constant mode (the pseudo-inverse).
func inverseLaplacian(n int) []float64 {
	m := n/2 + 1
	out := make([]float64, n*m)
	for kx := range n {
		cx := 2*math.Cos(2*math.Pi*float64(kx)/float64(n)) - 2
		for ky := range m {
			l := cx + 2*math.Cos(2*math.Pi*float64(ky)/float64(n)) - 2
			if kx != 0 || ky != 0 {
				out[kx*m+ky] = 1 / l
			}
		}
	}
	return out
}

// Config returns the solver's configuration.
func (s *Solver) Config() Config { return s.cfg }

// Step advances the velocity x, a (2, N, N) field, by one time step
// Config.TimeStep() in place. It does not allocate.
func (s *Solver) Step(x []float64) {
	n := s.n
	if len(x) != 2*n*n {
		panic("kolmogorov: Solver.Step needs a (2, N, N) velocity")
	}
	s.predict(x)
	s.project(x, s.star)
}

// Advance advances x by one snapshot interval: Config.Substeps() steps.
func (s *Solver) Advance(x []float64) {
	for range s.cfg.Substeps() {
		s.Step(x)
	}
}

// Project replaces the (2, N, N) velocity x by its discretely
// divergence-free part, the projection each step ends with: x − ∇q with
// ∇²q = ∇·x, where ∇· is the backward and ∇ the forward difference, so
// that the backward-difference divergence of the result vanishes.
func (s *Solver) Project(x []float64) {
	if len(x) != 2*s.n*s.n {
		panic("kolmogorov: Solver.Project needs a (2, N, N) velocity")
	}
	copy(s.star, x)
	s.project(x, s.star)
}

// project writes into dst the projection of the (2, N, N) field src.
// Both are scaled by h: with D = h·∇·src and q' = q/h, q' = L⁻¹D for the
// unit-spacing Laplacian L and dst = src − (forward difference of q').
func (s *Solver) project(dst, src []float64) {
	n := s.n
	nn := n * n
	u, v := src[:nn], src[nn:]
	q := s.q
	for i := range n {
		im := ((i - 1 + n) % n) * n
		ui, vi, um := u[i*n:(i+1)*n], v[i*n:(i+1)*n], u[im:im+n]
		qi := q[i*n : (i+1)*n]
		qi[0] = ui[0] - um[0] + vi[0] - vi[n-1]
		for j := 1; j < n; j++ {
			qi[j] = ui[j] - um[j] + vi[j] - vi[j-1]
		}
	}
	s.plan.Forward(s.spec, q)
	for k, w := range s.invLap {
		s.spec[k] *= complex(w, 0)
	}
	s.plan.Inverse(q, s.spec)
	du, dv := dst[:nn], dst[nn:]
	for i := range n {
		ip := ((i + 1) % n) * n
		ui, vi, qi, qp := u[i*n:(i+1)*n], v[i*n:(i+1)*n], q[i*n:(i+1)*n], q[ip:ip+n]
		dui, dvi := du[i*n:(i+1)*n], dv[i*n:(i+1)*n]
		for j := range n {
			dui[j] = ui[j] - (qp[j] - qi[j])
		}
		for j := range n - 1 {
			dvi[j] = vi[j] - (qi[j+1] - qi[j])
		}
		dvi[n-1] = vi[n-1] - (qi[0] - qi[n-1])
	}
}
