package unet

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"sdapipe/nets"
	"sdapipe/nn"
	"sdapipe/nn/nntest"
)

// trainBits runs steps training steps of the small network from a fixed
// seed at the given GOMAXPROCS and returns every parameter value.
func trainBits(t *testing.T, procs, rows, steps int) []float32 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	n, err := New(smallConfig(), rand.New(rand.NewPCG(9, 9)))
	if err != nil {
		t.Fatal(err)
	}
	tr := nn.NewTrainer(n, 2e-4, 1e-3)
	rng := rand.New(rand.NewPCG(10, 10))
	b := nntest.NewBatch(rng, rows, nets.EventSize(n))
	var losses []float64
	for s := range steps {
		b.Draw(rng)
		loss, err := tr.Step(b.Xt, b.T, b.Eps, rows, nn.LinearDecay(2e-4, s, steps))
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, loss)
	}
	if !(losses[len(losses)-1] < losses[0]) {
		t.Errorf("loss did not fall: %v", losses)
	}
	var all []float32
	for _, p := range n.Params() {
		all = append(all, p.Data...)
	}
	return all
}

func TestTrainingBitIdentical(t *testing.T) {
	// Not parallel: it sets GOMAXPROCS. Shards and micro-batches depend on
	// the batch size only; 10 windows give shards of 5, micro-batches of 4
	// and 1.
	const rows = 10
	steps := 4
	if testing.Short() {
		steps = 2
	}
	a := trainBits(t, 2, rows, steps)
	b := trainBits(t, 2, rows, steps)
	c := trainBits(t, 1, rows, steps)
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("two runs differ at value %d: %g vs %g", i, a[i], b[i])
		}
		if math.Float32bits(a[i]) != math.Float32bits(c[i]) {
			t.Fatalf("GOMAXPROCS 2 vs 1 differ at value %d: %g vs %g", i, a[i], c[i])
		}
	}
}

func TestInferenceBitIdentical(t *testing.T) {
	// Not parallel: it sets GOMAXPROCS. A window's arithmetic does not
	// depend on the goroutine that runs it.
	run := func(procs int) (eps, grad []float32) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rng := rand.New(rand.NewPCG(5, 6))
		n, err := New(smallConfig(), rng)
		if err != nil {
			t.Fatal(err)
		}
		const rows = 5
		x := nntest.RandVec(rng, rows*nets.EventSize(n))
		eps, grad = make([]float32, len(x)), make([]float32, len(x))
		n.EpsVJP(eps, grad, x, rows, 0.4, func(e, w []float32) { copy(w, e) })
		return eps, grad
	}
	e2, g2 := run(2)
	e1, g1 := run(1)
	for i := range e2 {
		if math.Float32bits(e1[i]) != math.Float32bits(e2[i]) || math.Float32bits(g1[i]) != math.Float32bits(g2[i]) {
			t.Fatalf("GOMAXPROCS 1 and 2 differ at value %d", i)
		}
	}
}

func TestTrainStepNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates in sync operations")
	}
	n, _ := New(smallConfig(), rand.New(rand.NewPCG(1, 2)))
	tr := nn.NewTrainer(n, 2e-4, 1e-3)
	b := nntest.NewBatch(rand.New(rand.NewPCG(3, 4)), 6, nets.EventSize(n))
	tr.Step(b.Xt, b.T, b.Eps, b.Rows, 2e-4)
	if a := testing.AllocsPerRun(5, func() { tr.Step(b.Xt, b.T, b.Eps, b.Rows, 2e-4) }); a != 0 {
		t.Fatalf("Step allocated %v times per call, want 0", a)
	}
}

func TestInferenceNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates in sync operations")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n, _ := New(smallConfig(), rng)
	const rows = 3
	x := nntest.RandVec(rng, rows*nets.EventSize(n))
	eps, grad := make([]float32, len(x)), make([]float32, len(x))
	ts := []float32{0.1, 0.2, 0.3}
	cot := func(e, w []float32) { copy(w, e) }
	n.Eps(eps, x, rows, 0.5)
	n.EpsRows(eps, x, ts, rows)
	n.EpsVJP(eps, grad, x, rows, 0.5, cot)
	for name, f := range map[string]func(){
		"Eps":     func() { n.Eps(eps, x, rows, 0.5) },
		"EpsRows": func() { n.EpsRows(eps, x, ts, rows) },
		"EpsVJP":  func() { n.EpsVJP(eps, grad, x, rows, 0.5, cot) },
	} {
		if a := testing.AllocsPerRun(5, f); a != 0 {
			t.Errorf("%s allocated %v times per call, want 0", name, a)
		}
	}
}
