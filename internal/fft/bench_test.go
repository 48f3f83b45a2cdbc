package fft

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"
)

// gonum2D is the same N×N real transform built from gonum's FFTPACK port:
// real FFTs along rows, then complex FFTs of gathered columns. It is here
// only to measure the choice recorded in the package doc.
type gonum2D struct {
	n        int
	rows     *fourier.FFT
	cols     *fourier.CmplxFFT
	col, out []complex128
}

func newGonum2D(n int) *gonum2D {
	return &gonum2D{n: n, rows: fourier.NewFFT(n), cols: fourier.NewCmplxFFT(n),
		col: make([]complex128, n), out: make([]complex128, n)}
}

func (g *gonum2D) forward(dst []complex128, a []float64) {
	n, m := g.n, g.n/2+1
	for r := range n {
		g.rows.Coefficients(dst[r*m:(r+1)*m], a[r*n:(r+1)*n])
	}
	for c := range m {
		for r := range n {
			g.col[r] = dst[r*m+c]
		}
		g.cols.Coefficients(g.out, g.col)
		for r := range n {
			dst[r*m+c] = g.out[r]
		}
	}
}

func benchInput(n int) []float64 {
	rng := rand.New(rand.NewPCG(1, 1))
	a := make([]float64, n*n)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	return a
}

// BenchmarkForward2D compares this package's N×N real transform with the
// same transform from gonum's dsp/fourier.
func BenchmarkForward2D(b *testing.B) {
	for _, n := range []int{64, 128, 256} {
		a := benchInput(n)
		c := make([]complex128, n*(n/2+1))
		b.Run(fmt.Sprintf("impl=own/n=%d", n), func(b *testing.B) {
			p := NewPlan2D(n)
			b.ReportAllocs()
			for b.Loop() {
				p.Forward(c, a)
			}
		})
		b.Run(fmt.Sprintf("impl=gonum/n=%d", n), func(b *testing.B) {
			g := newGonum2D(n)
			b.ReportAllocs()
			for b.Loop() {
				g.forward(c, a)
			}
		})
	}
}

// BenchmarkComplex1D compares 1-D complex transforms.
func BenchmarkComplex1D(b *testing.B) {
	for _, n := range []int{128, 256} {
		x := randComplex(rand.New(rand.NewPCG(2, 2)), n)
		b.Run(fmt.Sprintf("impl=own/n=%d", n), func(b *testing.B) {
			p := NewPlan(n)
			for b.Loop() {
				p.Forward(x, 1)
			}
		})
		b.Run(fmt.Sprintf("impl=gonum/n=%d", n), func(b *testing.B) {
			g := fourier.NewCmplxFFT(n)
			y := make([]complex128, n)
			for b.Loop() {
				g.Coefficients(y, x)
			}
		})
	}
}
