package kolmogorov

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

func TestCoarsen(t *testing.T) {
	// (1, 4, 4) → (1, 2, 2): block means worked by hand.
	x := []float64{
		1, 2, 3, 4,
		5, 6, 7, 8,
		9, 10, 11, 12,
		13, 14, 15, 16,
	}
	got := make([]float64, 4)
	Coarsen(got, x, 1, 4, 4, 2)
	want := []float64{3.5, 5.5, 11.5, 13.5}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Coarsen[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	// Constants stay constant, per channel, for a non-square (2, 8, 12).
	c := make([]float64, 2*8*12)
	for i := range c {
		c[i] = 1.25 + float64(i/(8*12))
	}
	d := make([]float64, 2*2*3)
	Coarsen(d, c, 2, 8, 12, 4)
	for i, v := range d {
		if want := 1.25 + float64(i/6); v != want {
			t.Errorf("Coarsen of constants [%d] = %v, want %v", i, v, want)
		}
	}
}

// upsampleRef is the reference's upsample (circular pad 1, torch bilinear
// interpolate ×2 with align_corners=False, crop 2) of x below, from
// torch 1.13 in float64 (printed rounded to 12 decimals).
var (
	upsampleIn = func() []float64 {
		x := make([]float64, 16)
		for i := range x {
			x[i] = float64(i*i)/7 - 3
		}
		return x
	}()
	upsampleRef = []float64{
		3.107142857143, 2.392857142857, 2.892857142857, 3.464285714286, 4.107142857143, 4.821428571429, 5.607142857143, 5.035714285714,
		-1.892857142857, -2.321428571429, -2.107142857143, -1.821428571429, -1.464285714286, -1.035714285714, -0.535714285714, -0.821428571429,
		-0.321428571429, -1.035714285714, -0.535714285714, 0.035714285714, 0.678571428571, 1.392857142857, 2.178571428571, 1.607142857143,
		2.392857142857, 1.392857142857, 2.178571428571, 3.035714285714, 3.964285714286, 4.964285714286, 6.035714285714, 5.178571428571,
		6.25, 4.964285714286, 6.035714285714, 7.178571428571, 8.392857142857, 9.678571428571, 11.035714285714, 9.892857142857,
		11.25, 9.678571428571, 11.035714285714, 12.464285714286, 13.964285714286, 15.535714285714, 17.178571428571, 15.75,
		17.392857142857, 15.535714285714, 17.178571428571, 18.892857142857, 20.678571428571, 22.535714285714, 24.464285714286, 22.75,
		14.678571428571, 13.107142857143, 14.464285714286, 15.892857142857, 17.392857142857, 18.964285714286, 20.607142857143, 19.178571428571,
	}
)

func TestUpsampleMatchesTorch(t *testing.T) {
	got := make([]float64, 64)
	Upsample(got, upsampleIn, 1, 4, 4, 2)
	for i, w := range upsampleRef {
		// The reference is printed to 12 decimals.
		if !scalar.EqualWithinAbs(got[i], w, 1e-11) {
			t.Errorf("Upsample[%d] = %.12f, want %.12f", i, got[i], w)
		}
	}
}

func TestUpsampleThenCoarsen(t *testing.T) {
	// Per axis, ×2 bilinear upsampling followed by 2-block means is the
	// periodic filter [1/8, 3/4, 1/8] (outputs 2i and 2i+1 sit at i ∓ ¼);
	// for ×1 both are the identity.
	rng := rand.New(rand.NewPCG(1, 1))
	h, w := 6, 8
	x := make([]float64, 2*h*w)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	up := make([]float64, 2*4*h*w)
	Upsample(up, x, 2, h, w, 2)
	got := make([]float64, len(x))
	Coarsen(got, up, 2, 2*h, 2*w, 2)
	f := [3]float64{0.125, 0.75, 0.125}
	for b := range 2 {
		for i := range h {
			for j := range w {
				var want float64
				for di := -1; di <= 1; di++ {
					for dj := -1; dj <= 1; dj++ {
						want += f[di+1] * f[dj+1] * x[b*h*w+((i+di+h)%h)*w+(j+dj+w)%w]
					}
				}
				// A handful of rounded products.
				if g := got[b*h*w+i*w+j]; !scalar.EqualWithinAbsOrRel(g, want, 1e-14, 1e-14) {
					t.Fatalf("[%d,%d,%d] = %v, want %v", b, i, j, g, want)
				}
			}
		}
	}
	Upsample(got, x, 2, h, w, 1)
	for i := range x {
		if got[i] != x[i] {
			t.Fatalf("Upsample ×1 [%d] = %v, want %v", i, got[i], x[i])
		}
	}
}

func TestVorticityMatchesTorch(t *testing.T) {
	// u, v (1, 2, 3, 3) below; want from torch 1.13: circular pad 1,
	// torch.gradient of u along dim −1 minus that of v along dim −2, crop.
	x := []float64{
		0, 1, 2, 3, 5, 8, 13, 21, 34,
		1, 4, 9, 16, 25, 36, 49, 64, 81,
	}
	want := []float64{16, 20.5, 22, -25.5, -27.5, -37, 1, 21, 9.5}
	got := make([]float64, 9)
	Vorticity(got, x, 1, 3, 3)
	for i := range want {
		if got[i] != want[i] { // halves of integer differences are exact
			t.Errorf("Vorticity[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestVorticityOfSines(t *testing.T) {
	// u = sin(2πm·j/W) along axis −1 and v = cos(2πp·i/H) along axis −2:
	// the central differences are sin(θ)cos(θj) and −sin(φ)sin(φi), so
	// w = sin θ cos θj + sin φ sin φi, θ = 2πm/W, φ = 2πp/H.
	h, w, m, p := 8, 16, 3, 1
	th, ph := 2*math.Pi*float64(m)/float64(w), 2*math.Pi*float64(p)/float64(h)
	x := make([]float64, 2*h*w)
	for i := range h {
		for j := range w {
			x[i*w+j] = math.Sin(th * float64(j))
			x[h*w+i*w+j] = math.Cos(ph * float64(i))
		}
	}
	got := make([]float64, h*w)
	Vorticity(got, x, 1, h, w)
	for i := range h {
		for j := range w {
			want := math.Sin(th)*math.Cos(th*float64(j)) + math.Sin(ph)*math.Sin(ph*float64(i))
			// Differences of O(1) sines: a few ulps.
			if g := got[i*w+j]; !scalar.EqualWithinAbs(g, want, 1e-14) {
				t.Errorf("w[%d,%d] = %v, want %v", i, j, g, want)
			}
		}
	}
}

func TestEnergySpectrum(t *testing.T) {
	n := 32
	s := NewSpectra(n)
	if s.Bins() != 24 { // round(√2·16) + 1
		t.Fatalf("Bins() = %d, want 24", s.Bins())
	}
	h := 2 * math.Pi / float64(n)
	// u = 2cos(3x + 4y), v = 0: energy ½⟨u²⟩ = 1, all at |κ| = 5.
	x := make([]float64, 2*n*n)
	for i := range n {
		for j := range n {
			x[i*n+j] = 2 * math.Cos(3*float64(i)*h+4*float64(j)*h)
		}
	}
	e := make([]float64, s.Bins())
	s.EnergySpectrum(e, x)
	for k, v := range e {
		want := 0.0
		if k == 5 {
			want = 1
		}
		// Round-off of a 32² FFT.
		if !scalar.EqualWithinAbs(v, want, 1e-13) {
			t.Errorf("E(%d) = %v, want %v", k, v, want)
		}
	}
	// Parseval on a random field, corners and Nyquist lines included.
	rng := rand.New(rand.NewPCG(2, 2))
	var ke float64
	for i := range x {
		x[i] = rng.NormFloat64()
		ke += 0.5 * x[i] * x[i] / float64(n*n)
	}
	s.EnergySpectrum(e, x)
	var sum float64
	for _, v := range e {
		sum += v
	}
	if !scalar.EqualWithinRel(sum, ke, 1e-12) {
		t.Errorf("Σ E(k) = %v, want ½⟨u²+v²⟩ = %v", sum, ke)
	}
}

func TestEnstrophy(t *testing.T) {
	n := 32
	s := NewSpectra(n)
	h := 2 * math.Pi / float64(n)
	// u = A sin(k y), v = B sin(m x): ω = ∂v/∂x − ∂u/∂y = Bm cos(mx) − Ak cos(ky),
	// so ½⟨ω²⟩ = (A²k² + B²m²)/4.
	a, k, b, m := 1.5, 4, 0.5, 3
	x := make([]float64, 2*n*n)
	for i := range n {
		for j := range n {
			x[i*n+j] = a * math.Sin(float64(k*j)*h)
			x[n*n+i*n+j] = b * math.Sin(float64(m*i)*h)
		}
	}
	want := (a*a*float64(k*k) + b*b*float64(m*m)) / 4
	if got := s.Enstrophy(x); !scalar.EqualWithinRel(got, want, 1e-13) {
		t.Errorf("Enstrophy = %v, want %v", got, want)
	}
}
