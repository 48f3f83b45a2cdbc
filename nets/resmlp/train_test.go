package resmlp

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sdapipe/nn"
	"sdapipe/nn/nntest"
	"testing"
)

// trainBits runs steps training steps from a fixed seed at the given
// GOMAXPROCS and returns all parameter values.
func trainBits(t *testing.T, procs, rows, steps int) []float32 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	n, err := NewNet(LocalConfig(3, 5, 64), rand.New(rand.NewPCG(9, 9)))
	if err != nil {
		t.Fatal(err)
	}
	tr := nn.NewTrainer(n, 1e-3, 1e-3)
	rng := rand.New(rand.NewPCG(10, 10))
	b := nntest.NewBatch(rng, rows, n.Cfg.Features)
	for s := range steps {
		b.Draw(rng)
		if _, err := tr.Step(b.Xt, b.T, b.Eps, rows, nn.LinearDecay(1e-3, s, steps)); err != nil {
			t.Fatal(err)
		}
	}
	var all []float32
	for _, p := range n.Params() {
		all = append(all, p.Data...)
	}
	return all
}

func TestTrainingDeterministic(t *testing.T) {
	// Not parallel: it sets GOMAXPROCS. A batch of 600 rows spans several
	// reduction chunks at width 64, so chunk order matters.
	steps := 5
	if testing.Short() {
		steps = 2
	}
	a := trainBits(t, 2, 600, steps)
	b := trainBits(t, 2, 600, steps)
	c := trainBits(t, 1, 600, steps)
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("two runs differ at value %d: %g vs %g", i, a[i], b[i])
		}
		if math.Float32bits(a[i]) != math.Float32bits(c[i]) {
			t.Fatalf("GOMAXPROCS 2 vs 1 differ at value %d: %g vs %g", i, a[i], c[i])
		}
	}
}

func TestTrainStepNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates in sync operations")
	}
	n, _ := NewNet(LocalConfig(3, 5, 32), rand.New(rand.NewPCG(1, 2)))
	tr := nn.NewTrainer(n, 1e-3, 1e-3)
	b := nntest.NewBatch(rand.New(rand.NewPCG(3, 4)), 256, n.Cfg.Features)
	tr.Step(b.Xt, b.T, b.Eps, b.Rows, 1e-3)
	if a := testing.AllocsPerRun(10, func() { tr.Step(b.Xt, b.T, b.Eps, b.Rows, 1e-3) }); a != 0 {
		t.Fatalf("Step allocated %v times per call, want 0", a)
	}
}
