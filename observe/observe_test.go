package observe

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

func mustEvery(t *testing.T, start, step, length int) []int {
	t.Helper()
	times, err := Every(start, step, length)
	if err != nil {
		t.Fatal(err)
	}
	return times
}

// TestLorenzScenarios checks docs/method.md §4.3's two Lorenz operators: "lo" keeps
// variable 0 at states 0, 8, …, 64 (9 values), "hi" variable 0 at all 65.
func TestLorenzScenarios(t *testing.T) {
	const l, d = 65, 3
	x := make([]float64, l*d)
	for s := range l {
		for v := range d {
			x[s*d+v] = float64(100*s + v) // encodes (state, variable)
		}
	}
	lo, err := NewSelect(l, d, []int{0}, mustEvery(t, 0, 8, l))
	if err != nil {
		t.Fatal(err)
	}
	hi, err := NewSelect(l, d, []int{0}, mustEvery(t, 0, 1, l))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		op   Operator
		want []float64
	}{
		{"lo", lo, []float64{0, 800, 1600, 2400, 3200, 4000, 4800, 5600, 6400}},
		{"hi", hi, func() []float64 {
			w := make([]float64, l)
			for s := range w {
				w[s] = float64(100 * s)
			}
			return w
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := make([]float64, tc.op.Outputs())
			tc.op.Apply64(y, x)
			if !slices.Equal(y, tc.want) {
				t.Errorf("y = %v, want %v", y, tc.want)
			}
		})
	}
}

// TestSelectOrder checks the time-major output order with several variables.
func TestSelectOrder(t *testing.T) {
	s, err := NewSelect(4, 3, []int{2, 0}, []int{3, 1})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 12)
	for i := range x {
		x[i] = float32(i)
	}
	y := make([]float32, s.Outputs())
	s.Apply32(y, x)
	// (t=3,v=2), (t=3,v=0), (t=1,v=2), (t=1,v=0) at flat t·3+v.
	if want := []float32{11, 9, 5, 3}; !slices.Equal(y, want) {
		t.Errorf("y = %v, want %v", y, want)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	sel := func(l, d int, vars, times []int) func() error {
		return func() error { _, err := NewSelect(l, d, vars, times); return err }
	}
	for _, tc := range []struct {
		name    string
		call    func() error
		msg     string // exact error text
		isIndex bool
	}{
		{"variable past D", sel(65, 3, []int{3}, []int{0}),
			"observe: variable 3 does not exist: state has 3 variables (0..2)", true},
		{"negative variable", sel(65, 3, []int{-1}, []int{0}),
			"observe: variable -1 does not exist: state has 3 variables (0..2)", true},
		{"time past L", sel(65, 3, []int{0}, []int{65}),
			"observe: time 65 does not exist: trajectory has 65 states (0..64)", true},
		{"duplicate time", sel(65, 3, []int{0}, []int{8, 8}),
			"observe: invalid operator: time 8 is listed twice", false},
		{"no variables", sel(65, 3, nil, []int{0}),
			"observe: invalid operator: no variables selected", false},
		{"empty shape", sel(0, 3, []int{0}, []int{0}),
			"observe: invalid operator: event shape (0, 3) must have at least one state and one variable", false},
		{"norm time", func() error { _, err := NewNorm(5, 2, []int{0, 7}); return err },
			"observe: time 7 does not exist: trajectory has 5 states (0..4)", true},
		{"every step 0", func() error { _, err := Every(0, 0, 65); return err },
			"observe: invalid operator: step 0 must be at least 1", false},
		{"every start past end", func() error { _, err := Every(65, 8, 65); return err },
			"observe: time 65 does not exist: trajectory has 65 states (0..64)", true},
		{"unknown kind", func() error { _, err := Build(Description{Kind: "fft", Length: 1, Dim: 1}); return err },
			`observe: invalid operator: unknown operator kind "fft" (want "select", "saturate", "norm" or "chain")`, false},
		{"norm with vars", func() error {
			_, err := Build(Description{Kind: KindNorm, Length: 2, Dim: 2, Vars: []int{0}, Times: []int{0}})
			return err
		}, "observe: invalid operator: a norm operator takes no vars", false},
		{"outputs disagree", func() error {
			_, err := Build(Description{Kind: KindSelect, Length: 2, Dim: 2, Vars: []int{0}, Times: []int{0, 1}, Outputs: 3})
			return err
		}, "observe: invalid operator: description says 3 outputs but the operator has 2", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.call()
			if err == nil || err.Error() != tc.msg {
				t.Fatalf("error = %v, want %q", err, tc.msg)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
			if _, ok := errors.AsType[*IndexError](err); ok != tc.isIndex {
				t.Errorf("errors.AsType[*IndexError] = %v, want %v", ok, tc.isIndex)
			}
		})
	}
}

func TestEvery(t *testing.T) {
	for _, tc := range []struct {
		start, step, length int
		want                []int
	}{
		{0, 8, 65, []int{0, 8, 16, 24, 32, 40, 48, 56, 64}},
		{3, 4, 12, []int{3, 7, 11}},
		{0, 1, 3, []int{0, 1, 2}},
		{2, 100, 3, []int{2}},
	} {
		got := mustEvery(t, tc.start, tc.step, tc.length)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Every(%d, %d, %d) = %v, want %v", tc.start, tc.step, tc.length, got, tc.want)
		}
	}
}

// testOps returns one operator of each kind on a (6, 3) event.
func testOps(t *testing.T) []Operator {
	t.Helper()
	s, err := NewSelect(6, 3, []int{2, 0}, []int{5, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := NewSelect(6, 3, []int{1}, []int{0, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	n, err := NewNorm(6, 3, []int{4, 0, 5})
	if err != nil {
		t.Fatal(err)
	}
	return []Operator{s, NewSaturate(s2), n}
}

// TestVJPFiniteDifferences checks every operator's VJP against central
// differences of ⟨g, A(x)⟩ in float64, and the float32 methods against the
// float64 ones.
func TestVJPFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, op := range testOps(t) {
		t.Run(op.Describe().Kind, func(t *testing.T) {
			l, d := op.Shape()
			m := op.Outputs()
			x, g := make([]float64, l*d), make([]float64, m)
			for i := range x {
				x[i] = 2 * rng.NormFloat64()
			}
			for i := range g {
				g[i] = rng.NormFloat64()
			}
			gx := make([]float64, l*d)
			op.VJP64(gx, x, g)
			y := make([]float64, m)
			f := func() float64 {
				op.Apply64(y, x)
				var s float64
				for j := range y {
					s += g[j] * y[j]
				}
				return s
			}
			const h = 1e-5
			for i := range x {
				x0 := x[i]
				x[i] = x0 + h
				fp := f()
				x[i] = x0 - h
				fm := f()
				x[i] = x0
				fd := (fp - fm) / (2 * h)
				// Central differences at h = 1e-5 on smooth O(1) functions: truncation
				// ~h²·f''' ≈ 1e-10, rounding ~1e-16/h ≈ 1e-11.
				if !scalar.EqualWithinAbsOrRel(gx[i], fd, 1e-8, 1e-7) {
					t.Errorf("gx[%d] = %.12g, finite difference %.12g", i, gx[i], fd)
				}
			}

			// float32 path: same function; inputs are float32-representable, so
			// only float32 rounding of the O(1) results differs (≈ 6e-8 relative).
			x32, g32 := make([]float32, l*d), make([]float32, m)
			for i := range x {
				x[i] = float64(float32(x[i]))
				x32[i] = float32(x[i])
			}
			for i := range g {
				g[i] = float64(float32(g[i]))
				g32[i] = float32(g[i])
			}
			y32, gx32 := make([]float32, m), make([]float32, l*d)
			op.Apply32(y32, x32)
			op.Apply64(y, x)
			clear(gx)
			op.VJP64(gx, x, g)
			op.VJP32(gx32, x32, g32)
			for j := range y {
				if !scalar.EqualWithinAbsOrRel(float64(y32[j]), y[j], 1e-6, 1e-6) {
					t.Errorf("Apply32 y[%d] = %g, Apply64 %g", j, y32[j], y[j])
				}
			}
			for i := range gx {
				if !scalar.EqualWithinAbsOrRel(float64(gx32[i]), gx[i], 1e-6, 1e-6) {
					t.Errorf("VJP32 gx[%d] = %g, VJP64 %g", i, gx32[i], gx[i])
				}
			}

			// VJP accumulates: a second call doubles gx.
			want := slices.Clone(gx)
			op.VJP64(gx, x, g)
			for i := range gx {
				if gx[i] != 2*want[i] {
					t.Fatalf("second VJP64 gave gx[%d] = %g, want %g", i, gx[i], 2*want[i])
				}
			}
		})
	}
}

func TestSaturateValues(t *testing.T) {
	s, err := NewSelect(1, 4, []int{0, 1, 2, 3}, []int{0})
	if err != nil {
		t.Fatal(err)
	}
	op := NewSaturate(s)
	x := []float64{0, 1, -3, 1e300}
	y := make([]float64, 4)
	op.Apply64(y, x)
	// g(0) = 0, g(1) = 1/2, g(−3) = −3/4, g(w) → 1 for huge w.
	if want := []float64{0, 0.5, -0.75, 1}; !slices.Equal(y, want) {
		t.Errorf("g(%v) = %v, want %v", x, y, want)
	}
	gx := make([]float64, 4)
	op.VJP64(gx, x, []float64{1, 1, 1, 1})
	// g'(0) = 1, g'(1) = 1/4, g'(−3) = 1/16, g'(1e300) underflows to 0.
	if want := []float64{1, 0.25, 1.0 / 16, 0}; !slices.Equal(gx, want) {
		t.Errorf("g'(%v) = %v, want %v", x, gx, want)
	}
}

func TestNormValues(t *testing.T) {
	n, err := NewNorm(2, 2, []int{1, 0})
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{0, 0, 3, -4}
	y := make([]float32, 2)
	n.Apply32(y, x)
	if want := []float32{5, 0}; !slices.Equal(y, want) {
		t.Errorf("norms = %v, want %v", y, want)
	}
	gx := make([]float32, 4)
	n.VJP32(gx, x, []float32{10, 7})
	// 10·(3, −4)/5 at state 1; the zero state 0 takes the subgradient 0.
	if want := []float32{0, 0, 6, -8}; !slices.Equal(gx, want) {
		t.Errorf("gx = %v, want %v", gx, want)
	}
}

// TestDescribeRoundTrip stores each operator's description as JSON, builds
// it again and checks that the rebuilt operator computes the same values.
func TestDescribeRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, op := range testOps(t) {
		d := op.Describe()
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back Description
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		op2, err := Build(back)
		if err != nil {
			t.Fatalf("Build(%s): %v", b, err)
		}
		if got := op2.Describe(); got.String() != d.String() || !slices.Equal(got.Times, d.Times) {
			t.Errorf("rebuilt %s as %s", d, got)
		}
		l, dim := op.Shape()
		x := make([]float64, l*dim)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		y1, y2 := make([]float64, op.Outputs()), make([]float64, op2.Outputs())
		op.Apply64(y1, x)
		op2.Apply64(y2, x)
		if !slices.Equal(y1, y2) {
			t.Errorf("%s: rebuilt operator gives %v, original %v", d.Kind, y2, y1)
		}
	}
}

func TestDescriptionString(t *testing.T) {
	lo, err := NewSelect(65, 3, []int{0}, mustEvery(t, 0, 8, 65))
	if err != nil {
		t.Fatal(err)
	}
	want := "select vars [0] at 9 times [0 8 … 64] of (65, 3) -> 9 values"
	if got := lo.Describe().String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestLogLik64(t *testing.T) {
	s, err := NewSelect(3, 1, []int{0}, []int{0, 2})
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{1, 99, -2}
	y := []float64{1.5, -2}
	const std = 0.5
	// Closed form: log N(1.5; 1, 0.25) + log N(−2; −2, 0.25).
	want := math.Log(math.Exp(-0.5*0.25/0.25)/(std*math.Sqrt(2*math.Pi))) +
		math.Log(1/(std*math.Sqrt(2*math.Pi)))
	got := LogLik64(s, make([]float64, 2), y, x, std)
	// Two evaluations of the same closed form in different orders: ulp-level.
	if !scalar.EqualWithinAbsOrRel(got, want, 1e-14, 1e-14) {
		t.Errorf("LogLik64 = %.17g, want %.17g", got, want)
	}
}

func TestLengthPanics(t *testing.T) {
	s, err := NewSelect(3, 2, []int{0}, []int{0})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		msg, _ := recover().(string)
		if !strings.HasPrefix(msg, "observe: Select.Apply: len(x) = 5, want 6") {
			t.Errorf("panic %q, want an observe: length message", msg)
		}
	}()
	s.Apply32(make([]float32, 1), make([]float32, 5))
}

func TestNoAlloc(t *testing.T) {
	for _, op := range testOps(t) {
		l, d := op.Shape()
		x, gx, y := make([]float32, l*d), make([]float32, l*d), make([]float32, op.Outputs())
		if n := testing.AllocsPerRun(100, func() { op.Apply32(y, x); op.VJP32(gx, x, y) }); n != 0 {
			t.Errorf("%s: Apply32+VJP32 allocated %v times per call, want 0", op.Describe().Kind, n)
		}
	}
}
