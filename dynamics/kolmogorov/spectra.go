package kolmogorov

import (
	"math"

	"sdapipe/internal/fft"
)

// A Spectra computes spectral statistics of (2, N, N) velocity fields on
// the periodic square [0, 2π]², whose wavenumbers κ = (kx, ky) are
// integers. It holds FFT scratch and belongs to one goroutine.
type Spectra struct {
	n      int
	plan   *fft.Plan2D
	uh, vh []complex128
}

// NewSpectra returns a Spectra for N×N fields. It panics unless n is a
// power of two ≥ 2.
func NewSpectra(n int) *Spectra {
	p := fft.NewPlan2D(n)
	return &Spectra{n: n, plan: p, uh: make([]complex128, p.SpectrumLen()), vh: make([]complex128, p.SpectrumLen())}
}

// Bins returns the number of energy-spectrum bins for side N,
// round(√2·N/2) + 1, so that every wavenumber of the grid has a bin.
func (s *Spectra) Bins() int { return int(math.Round(math.Sqrt2*float64(s.n/2))) + 1 }

// EnergySpectrum writes into dst (length Bins()) the shell-summed kinetic
// energy of the (2, N, N) velocity x,
//
//	E(k) = Σ_{round(|κ|) = k} ½(|û(κ)|² + |v̂(κ)|²) / N⁴,
//
// with û the unnormalised DFT, so that Σ_k E(k) is the mean kinetic energy
// ½⟨u² + v²⟩ over the grid (Parseval). It panics if the lengths do not
// match.
func (s *Spectra) EnergySpectrum(dst, x []float64) {
	n, m := s.n, s.n/2+1
	if len(x) != 2*n*n || len(dst) != s.Bins() {
		panic("kolmogorov: EnergySpectrum needs x (2, N, N) and dst of length Bins()")
	}
	s.transform(x)
	clear(dst)
	norm := 1 / (float64(n) * float64(n) * float64(n) * float64(n))
	for kx := range n {
		fx := float64(fft.Freq(kx, n))
		for ky := range m {
			k := kx*m + ky
			e := 0.5 * (sqAbs(s.uh[k]) + sqAbs(s.vh[k])) * norm * weight(ky, n)
			dst[int(math.Round(math.Hypot(fx, float64(ky))))] += e
		}
	}
}

// Enstrophy returns the mean enstrophy ½⟨ω²⟩ of the (2, N, N) velocity x,
// with the vorticity ω = ∂v/∂x − ∂u/∂y taken spectrally in physical units
// (x and y in [0, 2π]): ½ Σ_κ |i·kx·v̂ − i·ky·û|² / N⁴. It panics if the
// length does not match.
func (s *Spectra) Enstrophy(x []float64) float64 {
	n, m := s.n, s.n/2+1
	if len(x) != 2*n*n {
		panic("kolmogorov: Enstrophy needs x (2, N, N)")
	}
	s.transform(x)
	var z float64
	for kx := range n {
		fx := float64(fft.Freq(kx, n))
		for ky := range m {
			k := kx*m + ky
			w := complex(fx, 0)*s.vh[k] - complex(float64(ky), 0)*s.uh[k]
			z += sqAbs(w) * weight(ky, n)
		}
	}
	return 0.5 * z / (float64(n) * float64(n) * float64(n) * float64(n))
}

func (s *Spectra) transform(x []float64) {
	nn := s.n * s.n
	s.plan.Forward(s.uh, x[:nn])
	s.plan.Forward(s.vh, x[nn:])
}

// weight is the number of full-spectrum modes an rfft2 entry stands for:
// 1 on the ky = 0 and ky = N/2 columns, 2 elsewhere (κ and −κ).
func weight(ky, n int) float64 {
	if ky == 0 || 2*ky == n {
		return 1
	}
	return 2
}

func sqAbs(z complex128) float64 { return real(z)*real(z) + imag(z)*imag(z) }
