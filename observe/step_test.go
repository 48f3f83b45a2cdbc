package observe

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// mustStep builds one step of kind op with raw settings for inputs of
// shape in.
func mustStep(t *testing.T, in Shape, op string, raw map[string]any) Step {
	t.Helper()
	k, ok := LookupStep(op)
	if !ok {
		t.Fatalf("no step kind %q", op)
	}
	v, err := k.Values(raw)
	if err != nil {
		t.Fatal(err)
	}
	s, err := k.Build(in, v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func timed(dims ...int) Shape { return Shape{Dims: dims, Time: true} }
func plain(dims ...int) Shape { return Shape{Dims: dims} }

// stepCase is one step on a small input, for the generic checks.
type stepCase struct {
	name string
	in   Shape
	op   string
	raw  map[string]any
	want []int // output shape
}

var stepCases = []stepCase{
	{"every", timed(5, 2, 4, 4), "every", map[string]any{"n": 2, "offset": 1}, []int{2, 2, 4, 4}},
	{"states", timed(5, 3), "states", map[string]any{"indices": []int{3, -1, 0}}, []int{3, 3}},
	{"loop", timed(4, 2, 3, 5), "loop", nil, []int{2, 3, 5}},
	{"coarsen", timed(3, 2, 4, 6), "coarsen", map[string]any{"factor": 2}, []int{3, 2, 2, 3}},
	{"coarsen untimed", plain(2, 6, 9), "coarsen", map[string]any{"factor": 3}, []int{2, 2, 3}},
	{"subsample", timed(2, 2, 7, 8), "subsample", map[string]any{"stride": 3, "offset": 1}, []int{2, 2, 2, 3}},
	{"crop", timed(2, 2, 5, 8), "crop", map[string]any{"rows": []int{1, 4}, "cols": []int{2, 7}}, []int{2, 2, 3, 5}},
	{"vorticity", timed(2, 2, 5, 6), "vorticity", nil, []int{2, 5, 6}},
	{"vorticity 2×1", timed(2, 2, 2, 1), "vorticity", nil, []int{2, 2, 1}},
	{"saturate", timed(3, 4), "saturate", nil, []int{3, 4}},
	{"mask", timed(2, 2, 6, 7), "mask", map[string]any{"inner": 0.2, "outer": 0.9}, []int{2, 2, 6, 7}},
}

func randVec(rng *rand.Rand, n int, scale float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = scale * rng.NormFloat64()
	}
	return x
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// TestStepDerivatives checks each step's VJP and JVP (see
// checkDerivatives) and output shape.
func TestStepDerivatives(t *testing.T) {
	for ci, tc := range stepCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := mustStep(t, tc.in, tc.op, tc.raw)
			if !slices.Equal(s.Out().Dims, tc.want) {
				t.Fatalf("output shape %v, want %v", s.Out().Dims, tc.want)
			}
			rng := rand.New(rand.NewPCG(7, uint64(ci)))
			checkDerivatives(t, s.In().Size(), s.Out().Size(), s, rng)
		})
	}
}

// differentiable is what Step and *Chain have in common.
type differentiable interface {
	Apply32(dst, x []float32)
	Apply64(dst, x []float64)
	VJP32(gx, x, g []float32)
	VJP64(gx, x, g []float64)
	JVP32(dy, x, dx []float32)
	JVP64(dy, x, dx []float64)
}

// checkDerivatives checks f, of n inputs and m outputs, at a random x:
// VJP64 against central differences of ⟨g, f(x)⟩ per input; JVP64 against
// a central difference along dx and against VJP64 through
// ⟨J dx, g⟩ = ⟨dx, Jᵀg⟩; VJP accumulation; and the float32 methods against
// the float64 ones on float32-representable inputs.
func checkDerivatives(t *testing.T, n, m int, f differentiable, rng *rand.Rand) {
	t.Helper()
	x, dx, g := randVec(rng, n, 2), randVec(rng, n, 1), randVec(rng, m, 1)
	for _, v := range [][]float64{x, dx, g} { // float32-representable, for the comparison below
		for i := range v {
			v[i] = float64(float32(v[i]))
		}
	}
	// poison runs Apply on NaNs, so that a VJP or JVP that reads
	// intermediate arrays it did not compute itself fails.
	nan, y, y32 := make([]float64, n), make([]float64, m), make([]float32, m)
	for i := range nan {
		nan[i] = math.NaN()
	}
	nan32 := f32(nan)
	poison := func() { f.Apply64(y, nan); f.Apply32(y32, nan32) }
	poison()
	gx := make([]float64, n)
	f.VJP64(gx, x, g)
	at := func() float64 { f.Apply64(y, x); return dot(g, y) }
	const h = 1e-5
	for i := range x {
		x0 := x[i]
		x[i] = x0 + h
		fp := at()
		x[i] = x0 - h
		fm := at()
		x[i] = x0
		fd := (fp - fm) / (2 * h)
		// Central differences at h = 1e-5 of smooth O(1) functions: truncation
		// ~h²·f''' ≈ 1e-10, rounding ~1e-16·Σ|g y|/h ≈ 1e-10.
		if !scalar.EqualWithinAbsOrRel(gx[i], fd, 1e-8, 1e-7) {
			t.Errorf("gx[%d] = %.12g, finite difference %.12g", i, gx[i], fd)
		}
	}
	twice := slices.Clone(gx)
	poison()
	f.VJP64(twice, x, g)
	for i := range gx {
		if twice[i] != 2*gx[i] {
			t.Fatalf("a second VJP64 gave gx[%d] = %g, want %g", i, twice[i], 2*gx[i])
		}
	}

	jv := make([]float64, m)
	poison()
	f.JVP64(jv, x, dx)
	xp, xm, yp, ym := slices.Clone(x), slices.Clone(x), make([]float64, m), make([]float64, m)
	for i := range x {
		xp[i] += h * dx[i]
		xm[i] -= h * dx[i]
	}
	f.Apply64(yp, xp)
	f.Apply64(ym, xm)
	for j := range jv {
		// As above, along a direction dx of O(1) entries.
		if fd := (yp[j] - ym[j]) / (2 * h); !scalar.EqualWithinAbsOrRel(jv[j], fd, 1e-8, 1e-7) {
			t.Errorf("JVP dy[%d] = %.12g, finite difference %.12g", j, jv[j], fd)
		}
	}
	// Two orderings of the same sums of products: a few ulps of their size.
	if lhs, rhs := dot(jv, g), dot(dx, gx); !scalar.EqualWithinAbsOrRel(lhs, rhs, 1e-12, 1e-12) {
		t.Errorf("⟨J dx, g⟩ = %.17g, ⟨dx, Jᵀg⟩ = %.17g", lhs, rhs)
	}

	x32, dx32, g32 := f32(x), f32(dx), f32(g)
	gx32, jv32 := make([]float32, n), make([]float32, m)
	poison()
	f.VJP32(gx32, x32, g32)
	poison()
	f.JVP32(jv32, x32, dx32)
	f.Apply32(y32, x32)
	f.Apply64(y, x)
	// Same inputs, same operations: only float32 rounding of O(1) results
	// (a few ulps ≈ 1e-7 relative, more after the sums of a coarsening).
	for _, c := range []struct {
		name string
		v32  []float32
		v64  []float64
	}{{"Apply", y32, y}, {"VJP", gx32, gx}, {"JVP", jv32, jv}} {
		for j := range c.v64 {
			if !scalar.EqualWithinAbsOrRel(float64(c.v32[j]), c.v64[j], 1e-6, 1e-6) {
				t.Errorf("%s32 [%d] = %g, %s64 %g", c.name, j, c.v32[j], c.name, c.v64[j])
			}
		}
	}
}

func f32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// TestStepAdjoint checks ⟨A δx, g⟩ = ⟨δx, Aᵀ g⟩ for every linear step, and
// that saturate is the one step that says it is not linear.
func TestStepAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, tc := range stepCases {
		s := mustStep(t, tc.in, tc.op, tc.raw)
		if s.Linear() != (tc.op != "saturate") {
			t.Errorf("%s: Linear() = %v", tc.name, s.Linear())
		}
		if !s.Linear() {
			continue
		}
		dx, g := randVec(rng, s.In().Size(), 1), randVec(rng, s.Out().Size(), 1)
		ax, atg := make([]float64, s.Out().Size()), make([]float64, s.In().Size())
		s.Apply64(ax, dx)
		junk := make([]float64, s.In().Size()) // linear steps ignore x: NaNs must not leak
		for i := range junk {
			junk[i] = math.NaN()
		}
		s.VJP64(atg, junk, g)
		lhs, rhs := dot(ax, g), dot(dx, atg)
		// Two orderings of the same O(√n) sums of products: a few ulps of Σ|terms|.
		if !scalar.EqualWithinAbsOrRel(lhs, rhs, 1e-12, 1e-12) {
			t.Errorf("%s: ⟨A δx, g⟩ = %.17g, ⟨δx, Aᵀg⟩ = %.17g", tc.name, lhs, rhs)
		}
	}
}

// encoded returns x with x[k] = k, so that outputs name the inputs they
// copy.
func encoded(n int) []float64 {
	x := make([]float64, n)
	for k := range x {
		x[k] = float64(k)
	}
	return x
}

// TestStepIndices checks the steps that copy values (every, states,
// subsample, crop) and loop by the flat input indices they produce.
func TestStepIndices(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Shape
		op   string
		raw  map[string]any
		want []float64
	}{
		// States 1 and 3 of (5, 2): flat 2..3 and 6..7.
		{"every", timed(5, 2), "every", map[string]any{"n": 2, "offset": 1}, []float64{2, 3, 6, 7}},
		{"every offset 0", timed(3, 1), "every", map[string]any{"n": 2}, []float64{0, 2}},
		// States 3, 4 (= -1) and 0 of (5, 2).
		{"states", timed(5, 2), "states", map[string]any{"indices": []int{3, -1, 0}}, []float64{6, 7, 8, 9, 0, 1}},
		// Rows 1, 4 and columns 1, 4, 7 of a 7 × 8 plane: i·8 + j.
		{"subsample", plain(1, 7, 8), "subsample", map[string]any{"stride": 3, "offset": 1},
			[]float64{9, 12, 15, 33, 36, 39}},
		// x[..., ::2, ::2] of two 3 × 3 planes.
		{"subsample two planes", plain(2, 3, 3), "subsample", map[string]any{"stride": 2},
			[]float64{0, 2, 6, 8, 9, 11, 15, 17}},
		// Rows 1..3 and columns 2..6 of a 5 × 8 plane.
		{"crop", plain(5, 8), "crop", map[string]any{"rows": []int{1, 4}, "cols": []int{2, 7}},
			[]float64{10, 11, 12, 13, 14, 18, 19, 20, 21, 22, 26, 27, 28, 29, 30}},
		// x[0] − x[3] of (4, 3): k − (9 + k).
		{"loop", timed(4, 3), "loop", nil, []float64{-9, -9, -9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustStep(t, tc.in, tc.op, tc.raw)
			y := make([]float64, s.Out().Size())
			s.Apply64(y, encoded(s.In().Size()))
			if !slices.Equal(y, tc.want) {
				t.Errorf("y = %v, want %v", y, tc.want)
			}
		})
	}
}

// TestCoarsenKnownAnswers: the mean of a constant is that constant, of an
// even checkerboard block 0 and of an odd one ±1/f².
func TestCoarsenKnownAnswers(t *testing.T) {
	s := mustStep(t, plain(2, 8, 12), "coarsen", map[string]any{"factor": 4})
	x := make([]float64, 2*8*12)
	for k := range x {
		x[k] = 1.7
	}
	y := make([]float64, 2*2*3)
	s.Apply64(y, x)
	for k, v := range y {
		// 16 additions of 1.7 and a division: a few ulps.
		if !scalar.EqualWithinAbsOrRel(v, 1.7, 0, 1e-15) {
			t.Errorf("mean of 1.7s: y[%d] = %.17g", k, v)
		}
	}

	checker := func(h, w int) []float32 {
		x := make([]float32, h*w)
		for i := range h {
			for j := range w {
				x[i*w+j] = float32(1 - 2*((i+j)%2))
			}
		}
		return x
	}
	even := mustStep(t, plain(6, 8), "coarsen", map[string]any{"factor": 2})
	y32 := make([]float32, 3*4)
	even.Apply32(y32, checker(6, 8))
	for k, v := range y32 {
		if v != 0 {
			t.Errorf("2 × 2 means of a checkerboard: y[%d] = %g, want 0", k, v)
		}
	}
	odd := mustStep(t, plain(9, 6), "coarsen", map[string]any{"factor": 3})
	y32 = make([]float32, 3*2)
	odd.Apply32(y32, checker(9, 6))
	for bi := range 3 {
		for bj := range 2 {
			// A 3 × 3 block holds five squares of its corner's sign and four of
			// the other; the sum ±1 is exact and /9 rounds once.
			want := float32(1-2*((bi+bj)%2)) / 9
			if v := y32[bi*2+bj]; v != want {
				t.Errorf("3 × 3 block (%d, %d) of a checkerboard: %g, want %g", bi, bj, v, want)
			}
		}
	}
}

// TestVorticitySinusoid checks w = ∂u/∂y − ∂v/∂x on u = sin(2πk j/W),
// v = sin(2πm i/H), whose periodic central differences are, exactly,
//
//	w[i, j] = cos(2πk j/W)·sin(2πk/W) − cos(2πm i/H)·sin(2πm/H).
func TestVorticitySinusoid(t *testing.T) {
	const h, w, k, m = 12, 16, 3, 2
	s := mustStep(t, timed(1, 2, h, w), "vorticity", nil)
	x := make([]float64, 2*h*w)
	for i := range h {
		for j := range w {
			x[i*w+j] = math.Sin(2 * math.Pi * k * float64(j) / w)
			x[h*w+i*w+j] = math.Sin(2 * math.Pi * m * float64(i) / h)
		}
	}
	y := make([]float64, h*w)
	s.Apply64(y, x)
	for i := range h {
		for j := range w {
			want := math.Cos(2*math.Pi*k*float64(j)/w)*math.Sin(2*math.Pi*k/w) -
				math.Cos(2*math.Pi*m*float64(i)/h)*math.Sin(2*math.Pi*m/h)
			// The identity sin(a+b) − sin(a−b) = 2 cos a sin b, evaluated two
			// ways in float64: ulps of O(1) values.
			if got := y[i*w+j]; !scalar.EqualWithinAbsOrRel(got, want, 1e-14, 1e-14) {
				t.Errorf("w[%d, %d] = %.17g, want %.17g", i, j, got, want)
			}
		}
	}
}

// TestAnnulus checks the 64 × 64 circle of docs/method.md §4.3 scenario 5:
// 612 points, as torch.linspace/cartesian_prod give in float32 and in
// float64 (testdata/make_chain_refs.py prints it) and as numpy.linspace
// gives; also against a direct count with numpy's X_i = −1 + 2i/63, and the
// mask step keeps exactly those points.
func TestAnnulus(t *testing.T) {
	m, kept := Annulus(64, 64, 0.4, 0.6)
	if kept != 612 {
		t.Errorf("Annulus(64, 64, 0.4, 0.6) keeps %d points, want 612", kept)
	}
	var direct int
	for i := range 64 {
		for j := range 64 {
			x, y := -1+2*float64(i)/63, -1+2*float64(j)/63
			in := 0.4 < x*x+y*y && x*x+y*y < 0.6
			if in {
				direct++
			}
			if in != (m[i*64+j] == 1) {
				t.Errorf("point (%d, %d): mask %d, direct %v", i, j, m[i*64+j], in)
			}
		}
	}
	if direct != kept {
		t.Errorf("direct count %d, Annulus %d", direct, kept)
	}
	// X along axis −2, Y along axis −1: on a 3 × 5 grid X ∈ {−1, 0, 1},
	// Y ∈ {−1, −½, 0, ½, 1}; 0.2 < X² + Y² < 1.1 keeps (0, ±½), (0, ±1),
	// (±1, 0).
	m, kept = Annulus(3, 5, 0.2, 1.1)
	want := []uint8{0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0}
	if !slices.Equal(m, want) || kept != 6 {
		t.Errorf("Annulus(3, 5, 0.2, 1.1) = %v (%d kept), want %v", m, kept, want)
	}

	s := mustStep(t, timed(2, 64, 64), "mask", nil) // inner 0.4, outer 0.6 by default
	ones := make([]float64, 2*64*64)
	for k := range ones {
		ones[k] = 1
	}
	y := make([]float64, len(ones))
	s.Apply64(y, ones)
	var sum float64
	for _, v := range y {
		sum += v
	}
	if sum != 2*612 {
		t.Errorf("mask of ones sums to %g, want %d", sum, 2*612)
	}
}

// TestStepErrors checks the message of every way a step can fail to
// build; each names the op, the setting and value, and what fits.
func TestStepErrors(t *testing.T) {
	field := []int{2, 64, 64}
	for _, tc := range []struct {
		name    string
		length  int
		state   []int
		steps   []StepDesc
		msg     string
		index   int
		setting string
	}{
		{"unknown op", 8, field, []StepDesc{{Op: "fft"}}, `observe: op[0] (fft) on (8, 2, 64, 64): unknown op "fft" ` +
			`(ops: every, states, loop, coarsen, subsample, crop, vorticity, saturate, mask)`, 0, ""},
		{"unknown setting", 8, field, []StepDesc{{Op: "every", Settings: map[string]any{"n": 2, "m": 1}}},
			`observe: op[0] (every) on (8, 2, 64, 64): every has no setting "m" (it takes n, offset)`, 0, "m"},
		{"setting of a bare op", 8, field, []StepDesc{{Op: "loop", Settings: map[string]any{"n": 2}}},
			`observe: op[0] (loop) on (8, 2, 64, 64): loop has no setting "n" (it takes no settings)`, 0, "n"},
		{"missing setting", 8, field, []StepDesc{{Op: "every"}},
			"observe: op[0] (every) on (8, 2, 64, 64): every needs setting n: keep every n-th state", 0, "n"},
		{"string for int", 8, field, []StepDesc{{Op: "every", Settings: map[string]any{"n": "4"}}},
			`observe: op[0] (every) on (8, 2, 64, 64): every n "4" is not a whole number`, 0, "n"},
		{"fraction for int", 8, field, []StepDesc{{Op: "coarsen", Settings: map[string]any{"factor": 2.5}}},
			"observe: op[0] (coarsen) on (8, 2, 64, 64): coarsen factor 2.5 is not a whole number", 0, "factor"},
		{"below min", 8, field, []StepDesc{{Op: "every", Settings: map[string]any{"n": 0}}},
			"observe: op[0] (every) on (8, 2, 64, 64): every n 0 must be at least 1", 0, "n"},
		{"list below min", 8, field, []StepDesc{{Op: "crop", Settings: map[string]any{"rows": []int{-1, 4}, "cols": []int{0, 4}}}},
			"observe: op[0] (crop) on (8, 2, 64, 64): crop rows [-1 4]: -1 must be at least 0", 0, "rows"},
		{"every offset", 29, field, []StepDesc{{Op: "every", Settings: map[string]any{"n": 4, "offset": 29}}},
			"observe: op[0] (every) on (29, 2, 64, 64): every offset 29 leaves no state: the input has 29 states (offsets 0..28 fit)", 0, "offset"},
		{"states index", 8, field, []StepDesc{{Op: "states", Settings: map[string]any{"indices": []int{0, 8}}}},
			"observe: op[0] (states) on (8, 2, 64, 64): states index 8 does not exist: the input has 8 states (indices 0..7, or -8..-1 from the end)", 0, "indices"},
		{"states twice", 8, field, []StepDesc{{Op: "states", Settings: map[string]any{"indices": []int{3, 3}}}},
			"observe: op[0] (states) on (8, 2, 64, 64): states index 3 is listed twice", 0, "indices"},
		{"states alias", 8, field, []StepDesc{{Op: "states", Settings: map[string]any{"indices": []int{3, -5}}}},
			"observe: op[0] (states) on (8, 2, 64, 64): states indices 3 and -5 both name state 3", 0, "indices"},
		{"states empty", 8, field, []StepDesc{{Op: "states", Settings: map[string]any{"indices": []int{}}}},
			"observe: op[0] (states) on (8, 2, 64, 64): states indices is empty: list at least one state", 0, "indices"},
		{"coarsen divides", 8, []int{2, 20, 20}, []StepDesc{{Op: "every", Settings: map[string]any{"n": 2}}, {Op: "coarsen", Settings: map[string]any{"factor": 8}}},
			"observe: op[1] (coarsen) on (4, 2, 20, 20): coarsen factor 8 does not divide the field's 20 × 20 (factors that fit: 1, 2, 4, 5, 10, 20)", 1, "factor"},
		{"coarsen a vector state", 29, []int{3}, []StepDesc{{Op: "coarsen", Settings: map[string]any{"factor": 2}}},
			"observe: op[0] (coarsen) on (29, 3): coarsen needs a field (…, H, W) after the time axis, but each state is (3)", 0, ""},
		{"coarsen after loop", 8, []int{64}, []StepDesc{{Op: "loop"}, {Op: "coarsen", Settings: map[string]any{"factor": 2}}},
			"observe: op[1] (coarsen) on (64): coarsen needs a field (…, H, W) after the time axis, but the input is (64)", 1, ""},
		{"every after loop", 8, field, []StepDesc{{Op: "loop"}, {Op: "every", Settings: map[string]any{"n": 2}}},
			"observe: op[1] (every) on (2, 64, 64): every needs the time axis, which an earlier loop removed", 1, ""},
		{"subsample offset", 8, []int{2, 16, 16}, []StepDesc{{Op: "subsample", Settings: map[string]any{"stride": 4, "offset": 16}}},
			"observe: op[0] (subsample) on (8, 2, 16, 16): subsample offset 16 is outside the field's 16 × 16 (offsets 0..15 fit)", 0, "offset"},
		{"crop length", 8, field, []StepDesc{{Op: "crop", Settings: map[string]any{"rows": []int{4}, "cols": []int{4, 12}}}},
			"observe: op[0] (crop) on (8, 2, 64, 64): crop rows [4] must be two numbers [lo, hi]", 0, "rows"},
		{"crop range", 8, []int{2, 16, 16}, []StepDesc{{Op: "crop", Settings: map[string]any{"rows": []int{4, 12}, "cols": []int{4, 20}}}},
			"observe: op[0] (crop) on (8, 2, 16, 16): crop cols [4, 20] do not fit the field's 16 columns: want 0 ≤ lo < hi ≤ 16", 0, "cols"},
		{"crop empty", 8, []int{2, 16, 16}, []StepDesc{{Op: "crop", Settings: map[string]any{"rows": []int{4, 4}, "cols": []int{4, 12}}}},
			"observe: op[0] (crop) on (8, 2, 16, 16): crop rows [4, 4] do not fit the field's 16 rows: want 0 ≤ lo < hi ≤ 16", 0, "rows"},
		{"vorticity channels", 8, []int{3, 16, 16}, []StepDesc{{Op: "vorticity"}},
			"observe: op[0] (vorticity) on (8, 3, 16, 16): vorticity needs a velocity field (…, 2, H, W) after the time axis, but the channel axis has 3", 0, ""},
		{"vorticity of vorticity", 8, field, []StepDesc{{Op: "vorticity"}, {Op: "vorticity"}},
			"observe: op[1] (vorticity) on (8, 64, 64): vorticity needs a velocity field (…, 2, H, W) after the time axis, but each state is (64, 64)", 1, ""},
		{"mask order", 8, field, []StepDesc{{Op: "mask", Settings: map[string]any{"inner": 0.6, "outer": 0.4}}},
			"observe: op[0] (mask) on (8, 2, 64, 64): mask outer 0.4 must exceed inner 0.6", 0, "outer"},
		{"mask empty", 8, []int{4, 4}, []StepDesc{{Op: "mask", Settings: map[string]any{"inner": 0.4, "outer": 0.41}}},
			"observe: op[0] (mask) on (8, 4, 4): mask 0.4 < X² + Y² < 0.41 keeps no point of the 4 × 4 grid", 0, "inner"},
		{"loop of one state", 1, field, []StepDesc{{Op: "loop"}},
			"observe: op[0] (loop) on (1, 2, 64, 64): loop needs at least two states, but the input has 1", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewChain(tc.length, tc.state, tc.steps)
			if err == nil || err.Error() != tc.msg {
				t.Fatalf("error = %v\nwant    %s", err, tc.msg)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
			se, ok := errors.AsType[*StepError](err)
			if !ok {
				t.Fatalf("%v is not a *StepError", err)
			}
			if se.Index != tc.index || se.Op != tc.steps[tc.index].Op || se.Setting != tc.setting {
				t.Errorf("StepError{Index: %d, Op: %q, Setting: %q}, want {%d, %q, %q}",
					se.Index, se.Op, se.Setting, tc.index, tc.steps[tc.index].Op, tc.setting)
			}
		})
	}
}
