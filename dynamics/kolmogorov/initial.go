package kolmogorov

import (
	"math"
	"math/rand/v2"

	"sdapipe/internal/fft"
)

// InitialField writes into dst, a (2, N, N) velocity, a random
// divergence-free field with the spectrum of jax-cfd's
// filtered_velocity_field (docs/method.md §1.2):
//
//  1. for u, then v: N² standard normal draws from rng in row-major order,
//     whose Fourier coefficients at integer wavenumber |κ| > 0 are
//     multiplied by the log-normal filter
//     F(k) = exp(−(ln k − ln k₀ − ¼)²/(2·¼)) / k², k₀ = InitialPeak,
//     that is the log-normal density with log-variance ¼ and mode k₀,
//     divided by k for the circumference of the shell, and whose mean is
//     set to zero;
//  2. InitialIterations times: project onto divergence-free fields as a
//     step does (Project), then rescale so that the largest speed
//     max √(u[i,j]² + v[i,j]²) equals InitialMaxSpeed.
//
// It allocates nothing beyond the solver's scratch.
func (s *Solver) InitialField(dst []float64, rng *rand.Rand) {
	n := s.n
	nn := n * n
	if len(dst) != 2*nn {
		panic("kolmogorov: Solver.InitialField needs a (2, N, N) velocity")
	}
	for c := range 2 {
		x := dst[c*nn : (c+1)*nn]
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		s.plan.Forward(s.spec, x)
		s.filter()
		s.plan.Inverse(x, s.spec)
	}
	for range s.cfg.InitialIterations {
		s.Project(dst)
		scaleTo(dst, s.cfg.InitialMaxSpeed)
	}
}

// filter multiplies s.spec by the initial-field filter F(|κ|).
func (s *Solver) filter() {
	n, m := s.n, s.n/2+1
	mean := math.Log(s.cfg.InitialPeak) + 0.25
	for kx := range n {
		fx := float64(fft.Freq(kx, n))
		for ky := range m {
			k := math.Hypot(fx, float64(ky))
			f := 0.0
			if k > 0 {
				lk := math.Log(k)
				f = math.Exp(-(mean-lk)*(mean-lk)/(2*0.25)-lk) / k
			}
			s.spec[kx*m+ky] *= complex(f, 0)
		}
	}
}

// scaleTo rescales the (2, N, N) field x so that its largest speed, over
// co-indexed u[i,j] and v[i,j], is vmax.
func scaleTo(x []float64, vmax float64) {
	nn := len(x) / 2
	u, v := x[:nn], x[nn:]
	var m2 float64
	for i := range u {
		m2 = max(m2, u[i]*u[i]+v[i]*v[i])
	}
	f := vmax / math.Sqrt(m2)
	for i := range x {
		x[i] *= f
	}
}
