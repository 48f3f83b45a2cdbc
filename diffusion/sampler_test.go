package diffusion

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// TestPredictorCoefficients checks docs/method.md §5's examples at N = 256, to the
// digits the method notes print (half a unit in the last one).
func TestPredictorCoefficients(t *testing.T) {
	s := VPCosine{}
	const dt = 1.0 / 256
	for _, tc := range []struct {
		name       string
		t          float64
		r, c       float64
		tolR, tolC float64
	}{
		{"first step", 1, 1.41613, -0.41613, 5e-6, 5e-6},
		{"last step", dt, 1.0000361, -0.0075616, 5e-8, 5e-8},
	} {
		r, c := Predictor(s, tc.t, dt)
		if !scalar.EqualWithinAbs(r, tc.r, tc.tolR) || !scalar.EqualWithinAbs(c, tc.c, tc.tolC) {
			t.Errorf("%s: r = %.9g, c = %.9g; want %v, %v", tc.name, r, c, tc.r, tc.c)
		}
	}
}

// scaleDen is ε(x) = a·x, cheap and smooth.
type scaleDen struct{ a float32 }

func (d scaleDen) Eps(dst, x []float32, n int, t float32) {
	for i, v := range x {
		dst[i] = d.a * v
	}
}

// nanDen returns NaN everywhere once t ≤ below, and 0.5·x before.
type nanDen struct{ below float32 }

func (d nanDen) Eps(dst, x []float32, n int, t float32) {
	for i, v := range x {
		if t <= d.below {
			dst[i] = float32(math.NaN())
		} else {
			dst[i] = 0.5 * v
		}
	}
}

// TestPCDeterministic runs the sampler twice from one seed (bit-identical
// output) and once from another (different output).
func TestPCDeterministic(t *testing.T) {
	t.Parallel()
	run := func(seed uint64) []float32 {
		den := newTanhDen(10, rand.New(rand.NewPCG(1, 1)))
		p := &PC{Sched: VPCosine{}, Steps: 32, Corrections: 2, Tau: 0.25}
		x := make([]float32, 16*10)
		if err := p.Sample(x, 16, den, rand.New(rand.NewPCG(seed, 0)), nil); err != nil {
			t.Fatal(err)
		}
		return x
	}
	a, b, c := run(1), run(1), run(2)
	if !slices.Equal(a, b) {
		t.Error("same seed gave different samples")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds gave identical samples")
	}
}

func TestPCNonFinite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		c     int
		step  int
		phase string
	}{
		// Steps = 8: ε is evaluated at t = 1, 0.875, …; NaN from t ≤ 0.5.
		{"predictor", 0, 4, "predictor"}, // the predictor from t = 0.5 is step 4
		{"corrector", 1, 3, "corrector"}, // step 3's corrector runs at t' = 0.5
	} {
		p := &PC{Sched: VPCosine{}, Steps: 8, Corrections: tc.c, Tau: 0.25}
		x := make([]float32, 12)
		err := p.Sample(x, 2, nanDen{0.5}, rand.New(rand.NewPCG(1, 1)), nil)
		if !errors.Is(err, ErrNonFinite) {
			t.Fatalf("%s: error %v, want ErrNonFinite", tc.name, err)
		}
		nf, ok := errors.AsType[*NonFiniteError](err)
		if !ok || nf.Step != tc.step || nf.Phase != tc.phase || !math.IsNaN(nf.Value) {
			t.Errorf("%s: got %+v, want step %d in the %s", tc.name, nf, tc.step, tc.phase)
		}
		if !strings.Contains(err.Error(), "step") {
			t.Errorf("%s: message %q does not name the step", tc.name, err)
		}
	}
}

func TestPCValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    PC
	}{
		{"no schedule", PC{Steps: 1}},
		{"zero steps", PC{Sched: VPCosine{}}},
		{"negative corrections", PC{Sched: VPCosine{}, Steps: 1, Corrections: -1}},
		{"zero tau", PC{Sched: VPCosine{}, Steps: 1, Corrections: 1}},
		{"bad eta", PC{Sched: VPCosine{Eta: 2}, Steps: 1}},
	} {
		x := make([]float32, 4)
		if err := tc.p.Sample(x, 1, scaleDen{1}, rand.New(rand.NewPCG(1, 1)), nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Sample error %v, want ErrInvalid", tc.name, err)
		}
	}
}

// TestPCProgressAndCancel checks the progress calls and that a cancelled
// context stops the sampler before the next step.
func TestPCProgressAndCancel(t *testing.T) {
	p := &PC{Sched: VPCosine{}, Steps: 10, Corrections: 1, Tau: 0.25}
	x := make([]float32, 6)
	var calls [][2]int
	err := p.Sample(x, 2, scaleDen{0.5}, rand.New(rand.NewPCG(1, 1)), func(done, total int) {
		calls = append(calls, [2]int{done, total})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 10 || calls[0] != [2]int{1, 10} || calls[9] != [2]int{10, 10} {
		t.Errorf("progress calls %v, want (1,10) … (10,10)", calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	steps := 0
	err = p.SampleContext(ctx, x, 2, scaleDen{0.5}, rand.New(rand.NewPCG(1, 1)), func(done, total int) {
		if steps = done; done == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || steps != 3 {
		t.Errorf("after cancel at step 3: err %v after %d steps", err, steps)
	}
}

func TestPCNoAlloc(t *testing.T) {
	p := &PC{Sched: VPCosine{}, Steps: 4, Corrections: 2, Tau: 0.25}
	x := make([]float32, 8*15)
	rng := rand.New(rand.NewPCG(1, 1))
	var den Denoiser = scaleDen{0.5}
	if err := p.Sample(x, 8, den, rng, nil); err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(10, func() { _ = p.Sample(x, 8, den, rng, nil) }); a != 0 {
		t.Errorf("Sample allocated %v times per call, want 0", a)
	}
}
