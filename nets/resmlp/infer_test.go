package resmlp

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sdapipe/nn"
	"testing"
)

// smallNet is a network small enough for fast tests but with more rows
// than one inference tile.
func smallNet(t testing.TB) *Net {
	n, err := NewNet(Config{Features: 6, Width: 16, Depth: 2, Embed: 4, EmbedHidden: 8, Freqs: 5}, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEpsMatchesMirror(t *testing.T) {
	t.Parallel()
	n := smallNet(t)
	rng := newTestRand()
	rows := 2*layerTile + 37 // three tiles, the last one short
	F := n.Cfg.Features
	x := randVec(rng, rows*F)
	ts := make([]float32, rows)
	for i := range ts {
		ts[i] = 0.7
	}
	want := net64(n, to64(x), to64(ts))
	got := make([]float32, rows*F)
	// Folding the time embedding and pending biases reorders sums of O(1)
	// float32 values over ≤ 16 terms: 2e-5 covers it (see gradcheck_test.go).
	n.Eps(got, x, rows, 0.7)
	for i := range got {
		if !near(float64(got[i]), want[i], f32Abs, f32Rel) {
			t.Fatalf("Eps[%d] = %g, mirror %g", i, got[i], want[i])
		}
	}
	for i := range ts {
		ts[i] = float32(rng.Float64())
	}
	want = net64(n, to64(x), to64(ts))
	n.EpsRows(got, x, ts, rows)
	for i := range got {
		if !near(float64(got[i]), want[i], f32Abs, f32Rel) {
			t.Fatalf("EpsRows[%d] = %g, mirror %g", i, got[i], want[i])
		}
	}
}

func TestEpsVJPMatchesTape(t *testing.T) {
	t.Parallel()
	n := smallNet(t)
	rng := newTestRand()
	rows := layerTile + 5
	F := n.Cfg.Features
	x, w := randVec(rng, rows*F), randVec(rng, rows*F)
	ts := make([]float32, rows)
	for i := range ts {
		ts[i] = 0.25
	}
	tp := nn.NewTape()
	xv := tp.Var(x, rows, F)
	y := n.Forward(tp, xv, tp.Const(ts, rows))
	tp.BackwardWith(y, w)
	eps, grad := make([]float32, rows*F), make([]float32, rows*F)
	// The cotangent depends on eps, as guidance's does: w' = w ⊙ eps.
	w2 := make([]float32, len(w))
	for i := range w2 {
		w2[i] = w[i] * y.Data[i]
	}
	nn.ZeroGrads(n.Params())
	tp.Reset()
	xv = tp.Var(x, rows, F)
	y = n.Forward(tp, xv, tp.Const(ts, rows))
	tp.BackwardWith(y, w2)
	n.EpsVJP(eps, grad, x, rows, 0.25, func(e, dst []float32) {
		for i := range dst {
			dst[i] = w[i] * e[i]
		}
	})
	// Same float32 ops in a different order (folded biases): as above,
	// with room for the two passes through ~5 layers.
	for i := range grad {
		if !near(float64(eps[i]), float64(y.Data[i]), f32Abs, f32Rel) {
			t.Fatalf("eps[%d] = %g, tape %g", i, eps[i], y.Data[i])
		}
		if !near(float64(grad[i]), float64(xv.Grad[i]), 1e-4, 1e-4) {
			t.Fatalf("grad[%d] = %g, tape %g", i, grad[i], xv.Grad[i])
		}
	}
}

func TestInferenceNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates in sync operations")
	}
	for _, rows := range []int{300, layerTile + 2*serialTile + 1} {
		inferenceNoAlloc(t, rows)
	}
}

func inferenceNoAlloc(t *testing.T, rows int) {
	n := smallNet(t)
	F := n.Cfg.Features
	rng := newTestRand()
	x := randVec(rng, rows*F)
	ts := randVec(rng, rows)
	eps, grad := make([]float32, rows*F), make([]float32, rows*F)
	cot := func(e, w []float32) { copy(w, e) }
	n.EpsVJP(eps, grad, x, rows, 0.5, cot) // size the workspace
	n.EpsRows(eps, x, ts, rows)
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"Eps", func() { n.Eps(eps, x, rows, 0.5) }},
		{"EpsRows", func() { n.EpsRows(eps, x, ts, rows) }},
		{"EpsVJP", func() { n.EpsVJP(eps, grad, x, rows, 0.5, cot) }},
	} {
		if a := testing.AllocsPerRun(20, c.f); a != 0 {
			t.Errorf("%s (%d rows) allocated %v times per call, want 0", c.name, rows, a)
		}
	}
}

func TestEpsPanicsOnShape(t *testing.T) {
	t.Parallel()
	n := smallNet(t)
	defer func() {
		if recover() == nil {
			t.Fatal("Eps with a short dst did not panic")
		}
	}()
	n.Eps(make([]float32, 5), make([]float32, 6), 1, 0.5)
}

func TestInferenceDeterministic(t *testing.T) {
	// Not parallel: it sets GOMAXPROCS. Both execution modes (tiles on
	// separate goroutines, and one tile at a time with every pass on all
	// cores) give the same bits at GOMAXPROCS 1 and 2, and agree with each
	// other to float32 rounding.
	n := smallNet(t)
	rng := newTestRand()
	rows := layerTile + 3*serialTile + 7
	F := n.Cfg.Features
	x := randVec(rng, rows*F)
	run := func(procs int, layer bool) (eps, grad []float32) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		n.ws.layerParallel = layer
		defer func() { n.ws.layerParallel = false }()
		eps, grad = make([]float32, rows*F), make([]float32, rows*F)
		n.EpsVJP(eps, grad, x, rows, 0.4, func(e, w []float32) { copy(w, e) })
		return eps, grad
	}
	for _, layer := range []bool{false, true} {
		e1, g1 := run(1, layer)
		e2, g2 := run(2, layer)
		for i := range e1 {
			if math.Float32bits(e1[i]) != math.Float32bits(e2[i]) || math.Float32bits(g1[i]) != math.Float32bits(g2[i]) {
				t.Fatalf("layerParallel=%v: GOMAXPROCS 1 and 2 differ at %d", layer, i)
			}
		}
	}
	e1, g1 := run(2, false)
	e2, g2 := run(2, true)
	for i := range e1 {
		if !near(float64(e1[i]), float64(e2[i]), f32Abs, f32Rel) || !near(float64(g1[i]), float64(g2[i]), 1e-4, 1e-4) {
			t.Fatalf("modes differ at %d: eps %g vs %g, grad %g vs %g", i, e1[i], e2[i], g1[i], g2[i])
		}
	}
}

func TestShareConcurrentInference(t *testing.T) {
	t.Parallel()
	// Two views of one network on two goroutines give the same ε as one
	// view alone: each has its own workspace.
	n := smallNet(t)
	m := n.Share().(*Net)
	rng := newTestRand()
	rows := layerTile + 100
	F := n.Cfg.Features
	x := randVec(rng, rows*F)
	want := make([]float32, rows*F)
	n.Eps(want, x, rows, 0.3)
	a, b := make([]float32, rows*F), make([]float32, rows*F)
	done := make(chan struct{})
	go func() { m.Eps(b, x, rows, 0.3); close(done) }()
	n.Eps(a, x, rows, 0.3)
	<-done
	for i := range want {
		if a[i] != want[i] || b[i] != want[i] {
			t.Fatalf("value %d: %g and %g, want %g", i, a[i], b[i], want[i])
		}
	}
	if p, _ := m.Param("input.weight"); &p.Data[0] != &n.Input.W.Data[0] {
		t.Fatal("Share copied the parameters")
	}
}

func TestInferenceZeroRows(t *testing.T) {
	t.Parallel()
	// No rows is a valid, empty call; cot still sees (empty) slices.
	n := smallNet(t)
	n.Eps(nil, nil, 0, 0.5)
	n.EpsRows(nil, nil, nil, 0)
	called := false
	n.EpsVJP(nil, nil, nil, 0, 0.5, func(e, w []float32) { called = len(e) == 0 && len(w) == 0 })
	if !called {
		t.Fatal("cot was not called with empty slices")
	}
}
