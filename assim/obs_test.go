package assim

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"sdapipe/dynamics"
	"sdapipe/observe"
)

// TestStandardizedSelect: the adapter observes the standardised variable,
// (x_v − Mean_v)/Scale_v, and its VJP is g/Scale_v at v.
func TestStandardizedSelect(t *testing.T) {
	t.Parallel()
	l := dynamics.NewLorenz63()
	h, err := Standardized(must(observe.NewSelect(1, 3, []int{0, 2}, []int{0})), l)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{3, -4, 30}
	y := make([]float64, 2)
	h.Apply(y, x)
	want := []float64{(3 - l.Mean[0]) / l.Scale[0], (30 - l.Mean[2]) / l.Scale[2]}
	for q := range y {
		// The adapter calls the system's own standardisation: bit for bit.
		if y[q] != want[q] {
			t.Fatalf("h(x) = %v, want %v", y, want)
		}
	}
	gx := []float64{1, 1, 1}
	h.VJP(gx, x, []float64{2, 3})
	wantG := []float64{1 + 2/l.Scale[0], 1, 1 + 3/l.Scale[2]}
	for d := range gx {
		// The derivative is probed as S(e_d) − S(0): ~1e-14 relative.
		if math.Abs(gx[d]-wantG[d]) > 1e-13 {
			t.Fatalf("VJP accumulated %v, want %v", gx, wantG)
		}
	}
}

// TestStandardizedNormVJP checks a nonlinear adapted operator's VJP
// against central differences (tolerance: ε = 1e-6 on a smooth function
// of size ~1: error ~1e-10).
func TestStandardizedNormVJP(t *testing.T) {
	t.Parallel()
	l := dynamics.NewLorenz63()
	h, err := Standardized(must(observe.NewNorm(1, 3, []int{0})), l)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{5, 7, 20}
	gx := make([]float64, 3)
	h.VJP(gx, x, []float64{1})
	yp, ym := make([]float64, 1), make([]float64, 1)
	for d := range 3 {
		xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
		xp[d] += 1e-6
		xm[d] -= 1e-6
		h.Apply(yp, xp)
		h.Apply(ym, xm)
		if fd := (yp[0] - ym[0]) / 2e-6; math.Abs(fd-gx[d]) > 1e-8 {
			t.Fatalf("∂h/∂x[%d]: VJP %v, finite difference %v", d, gx[d], fd)
		}
	}
}

// notElementwise mixes variables when standardising.
type notElementwise struct{}

func (notElementwise) Standardize(dst, x []float64) {
	a, b := x[0], x[1]
	dst[0], dst[1] = a+b, b
}

func TestStandardizedRejects(t *testing.T) {
	t.Parallel()
	sel := must(observe.NewSelect(1, 2, []int{0}, []int{0}))
	if _, err := Standardized(sel, notElementwise{}); !errors.Is(err, ErrObservations) {
		t.Errorf("mixing standardisation: err = %v, want ErrObservations", err)
	}
	two := must(observe.NewSelect(2, 2, []int{0}, []int{0, 1}))
	if _, err := Standardized(two, dynamics.NewLorenz63()); !errors.Is(err, ErrObservations) {
		t.Errorf("two-state operator: err = %v, want ErrObservations", err)
	}
}

// TestFromDescription builds the "lo" observations from the observe
// stage's description, and sorts out-of-order times with their values.
func TestFromDescription(t *testing.T) {
	t.Parallel()
	l := dynamics.NewLorenz63()
	times := must(observe.Every(0, 8, 65))
	desc := must(observe.NewSelect(65, 3, []int{0}, times)).Describe()
	y := make([]float64, len(times))
	for j := range y {
		y[j] = float64(j)
	}
	sd := 0.05
	o, err := FromDescription(desc, y, sd, l)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Times) != 9 || o.Times[8] != 64 || o.P() != 1 || o.R[0] != sd*sd || o.Y[3] != 3 {
		t.Fatalf("observations %+v", o)
	}
	desc.Times = []int{16, 0, 8}
	o, err = FromDescription(desc, []float64{2, 0, 1}, 0.1, l)
	if err != nil {
		t.Fatal(err)
	}
	if o.Times[0] != 0 || o.Times[2] != 16 || o.Y[0] != 0 || o.Y[1] != 1 || o.Y[2] != 2 {
		t.Fatalf("sorted observations: times %v, y %v", o.Times, o.Y)
	}
	if _, err := FromDescription(desc, []float64{1, 2}, 0.1, l); !errors.Is(err, ErrObservations) {
		t.Fatalf("two values for three times: err = %v", err)
	}
}

// TestSymEigen compares the Jacobi eigendecomposition with gonum's on
// random symmetric matrices: reconstruction V·Λ·Vᵀ = A and orthonormal V
// to ~1e-13 (Jacobi's accuracy is a few ulps of ‖A‖).
func TestSymEigen(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{1, 2, 3, 9} {
		a := make([]float64, n*n)
		for i := range n {
			for j := 0; j <= i; j++ {
				v := rng.NormFloat64()
				a[i*n+j], a[j*n+i] = v, v
			}
		}
		orig := append([]float64(nil), a...)
		v, lam := make([]float64, n*n), make([]float64, n)
		symEigen(a, v, lam, n)
		for i := range n {
			for j := range n {
				var s, o float64
				for k := range n {
					s += v[i*n+k] * lam[k] * v[j*n+k]
					o += v[k*n+i] * v[k*n+j]
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(s-orig[i*n+j]) > 1e-12 || math.Abs(o-want) > 1e-12 {
					t.Fatalf("n=%d: (VΛVᵀ)[%d][%d] = %v, A = %v; (VᵀV) = %v", n, i, j, s, orig[i*n+j], o)
				}
			}
		}
		var es mat.EigenSym
		if !es.Factorize(mat.NewSymDense(n, orig), false) {
			t.Fatal("gonum EigenSym failed")
		}
		got := append([]float64(nil), lam...)
		sortFloats(got)
		for i, w := range es.Values(nil) {
			if math.Abs(got[i]-w) > 1e-12 {
				t.Fatalf("n=%d: eigenvalues %v, gonum %v", n, got, es.Values(nil))
			}
		}
	}
}

func sortFloats(v []float64) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

func TestCholeskySolve(t *testing.T) {
	t.Parallel()
	a := []float64{4, 2, 0.6, 2, 5, 1, 0.6, 1, 3}
	b := []float64{1, 2, 3}
	l := append([]float64(nil), a...)
	if !cholesky(l, 3) {
		t.Fatal("SPD matrix rejected")
	}
	x := append([]float64(nil), b...)
	cholSolve(l, 3, x)
	for i := range 3 {
		var s float64
		for j := range 3 {
			s += a[i*3+j] * x[j]
		}
		if math.Abs(s-b[i]) > 1e-14 {
			t.Fatalf("A·x = %v at %d, want %v", s, i, b[i])
		}
	}
	if cholesky([]float64{1, 2, 2, 1}, 2) {
		t.Fatal("indefinite matrix accepted")
	}
}

// TestStandardizedNoAlloc: after warm-up the adapter's Apply and VJP do
// not allocate.
func TestStandardizedNoAlloc(t *testing.T) {
	h, _ := Standardized(must(observe.NewSelect(1, 3, []int{0}, []int{0})), dynamics.NewLorenz63())
	x, y, g := []float64{1, 2, 3}, make([]float64, 1), make([]float64, 3)
	h.Apply(y, x)
	if n := testing.AllocsPerRun(100, func() {
		h.Apply(y, x)
		h.VJP(g, x, y)
	}); n != 0 {
		t.Fatalf("allocated %v times per call, want 0", n)
	}
}
