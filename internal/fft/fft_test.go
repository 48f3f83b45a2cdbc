package fft

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// dft is the O(N²) definition, X[k] = Σ_j x[j] e^{∓2πijk/N}, in float64
// with exact angle reduction (jk mod N) so that it is accurate to ~N·ε.
func dft(x []complex128, sign float64) []complex128 {
	n := len(x)
	out := make([]complex128, n)
	for k := range n {
		var s complex128
		for j, v := range x {
			s += v * cis(sign*2*math.Pi*float64(j*k%n)/float64(n))
		}
		out[k] = s
	}
	return out
}

func randComplex(rng *rand.Rand, n int) []complex128 {
	x := make([]complex128, n)
	for i := range x {
		x[i] = complex(rng.NormFloat64(), rng.NormFloat64())
	}
	return x
}

// maxErr returns max |a−b| / max |b|.
func maxErr(a, b []complex128) float64 {
	var e, m float64
	for i := range a {
		e = max(e, cmplx.Abs(a[i]-b[i]))
		m = max(m, cmplx.Abs(b[i]))
	}
	return e / m
}

// fftTol: an FFT's error grows like ε·log₂N; 1e-13 leaves two decades of
// room at N = 256 while an indexing or twiddle mistake gives O(1).
const fftTol = 1e-13

func TestPlanMatchesDFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 4, 8, 16, 32, 64, 128, 256} {
		for _, batch := range []int{1, 3} {
			t.Run(fmt.Sprintf("n=%d/batch=%d", n, batch), func(t *testing.T) {
				x := randComplex(rng, n*batch)
				fwd := append([]complex128(nil), x...)
				p := NewPlan(n)
				p.Forward(fwd, batch)
				for c := range batch {
					col := make([]complex128, n)
					got := make([]complex128, n)
					for j := range n {
						col[j], got[j] = x[j*batch+c], fwd[j*batch+c]
					}
					if e := maxErr(got, dft(col, -1)); e > fftTol {
						t.Errorf("column %d: forward error %.3g", c, e)
					}
				}
				p.Inverse(fwd, batch)
				if e := maxErr(fwd, x); e > fftTol {
					t.Errorf("round trip error %.3g", e)
				}
			})
		}
	}
}

func TestRealPlanMatchesDFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{2, 4, 8, 32, 128, 256} {
		x := make([]float64, n)
		xc := make([]complex128, n)
		for i := range x {
			x[i] = rng.NormFloat64()
			xc[i] = complex(x[i], 0)
		}
		p := NewRealPlan(n)
		got := make([]complex128, n/2+1)
		p.Forward(got, x)
		if e := maxErr(got, dft(xc, -1)[:n/2+1]); e > fftTol {
			t.Errorf("n=%d: forward error %.3g", n, e)
		}
		back := make([]float64, n)
		p.Inverse(back, got)
		for i := range x {
			if math.Abs(back[i]-x[i]) > fftTol*4 {
				t.Errorf("n=%d: round trip [%d] = %v, want %v", n, i, back[i], x[i])
				break
			}
		}
	}
}

func TestPlan2DMatchesDFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{2, 4, 16, 64} {
		a := make([]float64, n*n)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		// Reference: 1-D DFTs along axis 1, then along axis 0.
		full := make([]complex128, n*n)
		for r := range n {
			row := make([]complex128, n)
			for c := range n {
				row[c] = complex(a[r*n+c], 0)
			}
			copy(full[r*n:], dft(row, -1))
		}
		for c := range n {
			col := make([]complex128, n)
			for r := range n {
				col[r] = full[r*n+c]
			}
			for r, v := range dft(col, -1) {
				full[r*n+c] = v
			}
		}
		m := n/2 + 1
		want := make([]complex128, n*m)
		for r := range n {
			copy(want[r*m:(r+1)*m], full[r*n:r*n+m])
		}
		p := NewPlan2D(n)
		got := make([]complex128, p.SpectrumLen())
		p.Forward(got, a)
		if e := maxErr(got, want); e > fftTol {
			t.Errorf("n=%d: forward error %.3g", n, e)
		}
		back := make([]float64, n*n)
		keep := append([]complex128(nil), got...)
		p.Inverse(back, got)
		if maxErr(got, keep) != 0 {
			t.Errorf("n=%d: Inverse modified its input", n)
		}
		for i := range a {
			if math.Abs(back[i]-a[i]) > 1e-12 {
				t.Errorf("n=%d: round trip [%d] = %v, want %v", n, i, back[i], a[i])
				break
			}
		}
	}
}

func TestFreq(t *testing.T) {
	want := []int{0, 1, 2, 3, -4, -3, -2, -1} // numpy.fft.fftfreq(8)*8
	for i, w := range want {
		if got := Freq(i, 8); got != w {
			t.Errorf("Freq(%d, 8) = %d, want %d", i, got, w)
		}
	}
}

func TestNoAlloc(t *testing.T) {
	p := NewPlan2D(64)
	a := make([]float64, 64*64)
	c := make([]complex128, p.SpectrumLen())
	if n := testing.AllocsPerRun(10, func() { p.Forward(c, a); p.Inverse(a, c) }); n != 0 {
		t.Errorf("Plan2D allocated %v times per round trip", n)
	}
}
