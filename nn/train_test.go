package nn

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"sdapipe/nn/nntest"
	"testing"
)

// tinyModel is a small Trainable built from the tape's ops: time features
// joined to the input, a layer norm, a SiLU layer and a linear output.
type tinyModel struct {
	in, hid, out *Linear
	f, nf        int
	params       []*Param
}

func newTinyModel(f, width int, rng *rand.Rand) *tinyModel {
	const nf = 4
	m := &tinyModel{in: NewLinear("in", f+2*nf, width), hid: NewLinear("hid", width, width),
		out: NewLinear("out", width, f), f: f, nf: nf}
	for _, l := range []*Linear{m.in, m.hid, m.out} {
		l.Init(rng)
		m.params = append(m.params, l.W, l.B)
	}
	return m
}

func (m *tinyModel) Params() []*Param { return m.params }

func (m *tinyModel) Loss(tp *Tape, xt, t, eps []float32, rows int) *Tensor {
	e := tp.TimeFeatures(tp.Const(t, rows), m.nf)
	h := tp.LinearCat(m.in, tp.Const(xt, rows, m.f), e)
	h = tp.LinearSiLU(m.hid, tp.LayerNorm(h))
	return tp.MSE(tp.Linear(m.out, h), tp.Const(eps, rows, m.f))
}

// trainBits runs steps training steps from a fixed seed at the given
// GOMAXPROCS and returns all parameter values.
func trainBits(t *testing.T, procs, rows, steps int) []float32 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	n := newTinyModel(15, 64, rand.New(rand.NewPCG(9, 9)))
	tr := NewTrainer(n, 1e-3, 1e-3)
	rng := rand.New(rand.NewPCG(10, 10))
	b := newBatch(rng, rows, n.f)
	for s := range steps {
		b.Draw(rng)
		if _, err := tr.Step(b.Xt, b.T, b.Eps, rows, LinearDecay(1e-3, s, steps)); err != nil {
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

func TestTrainingLossDecreases(t *testing.T) {
	t.Parallel()
	// Fitting one fixed batch: 30 AdamW steps at lr 1e-3 must lower the
	// loss well below its start (≈ 1 for ε ~ N(0, I)).
	n := newTinyModel(15, 32, rand.New(rand.NewPCG(1, 2)))
	tr := NewTrainer(n, 1e-3, 1e-3)
	b := newBatch(rand.New(rand.NewPCG(3, 4)), 64, n.f)
	first, _ := tr.Step(b.Xt, b.T, b.Eps, b.Rows, 1e-3)
	var last float64
	for range 30 {
		last, _ = tr.Step(b.Xt, b.T, b.Eps, b.Rows, 1e-3)
	}
	if !(last < 0.8*first) {
		t.Fatalf("loss went from %g to %g, want a drop of 20%%", first, last)
	}
}

func TestTrainStepNonFinite(t *testing.T) {
	t.Parallel()
	n := newTinyModel(15, 16, rand.New(rand.NewPCG(1, 2)))
	tr := NewTrainer(n, 1e-3, 1e-3)
	b := newBatch(rand.New(rand.NewPCG(3, 4)), 4, n.f)
	before := append([]float32(nil), n.Params()[0].Data...)
	b.Eps[3] = float32(math.Inf(1))
	_, err := tr.Step(b.Xt, b.T, b.Eps, b.Rows, 1e-3)
	var nf ErrNonFinite
	if !errors.As(err, &nf) || nf.Step != 0 {
		t.Fatalf("err = %v, want ErrNonFinite at step 0", err)
	}
	for i, v := range n.Params()[0].Data {
		if v != before[i] {
			t.Fatal("a non-finite step changed the weights")
		}
	}
}

func TestTrainStepNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates in sync operations")
	}
	n := newTinyModel(15, 32, rand.New(rand.NewPCG(1, 2)))
	tr := NewTrainer(n, 1e-3, 1e-3)
	b := newBatch(rand.New(rand.NewPCG(3, 4)), 256, n.f)
	tr.Step(b.Xt, b.T, b.Eps, b.Rows, 1e-3)
	if a := testing.AllocsPerRun(10, func() { tr.Step(b.Xt, b.T, b.Eps, b.Rows, 1e-3) }); a != 0 {
		t.Fatalf("Step allocated %v times per call, want 0", a)
	}
}

// TestTrainStepShardsSumToBatchGradient: the step's gradient, formed as two
// fixed batch halves on their own tapes and micro-batches of trainMicro
// rows, equals the gradient of the whole batch's loss on one tape, up to
// float32 summation order.
func TestTrainStepShardsSumToBatchGradient(t *testing.T) {
	t.Parallel()
	rows := 2*trainMicro + 90 // the first half spans two micro-batches
	ref := newTinyModel(15, 24, rand.New(rand.NewPCG(5, 6)))
	b := newBatch(rand.New(rand.NewPCG(7, 8)), rows, ref.f)
	tp := NewTape()
	tp.Backward(ref.Loss(tp, b.Xt, b.T, b.Eps, rows))
	m := newTinyModel(15, 24, rand.New(rand.NewPCG(5, 6)))
	if _, err := NewTrainer(m, 1e-3, 0).Step(b.Xt, b.T, b.Eps, rows, 1e-3); err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Params() {
		for j, g := range p.Grad {
			// Sums over ≤ 600 rows of O(1e-2) terms in another order.
			if !near(float64(g), float64(ref.Params()[i].Grad[j]), 1e-6, 1e-4) {
				t.Fatalf("%s.grad[%d] = %g after Step, %g on one tape", p.Name, j, g, ref.Params()[i].Grad[j])
			}
		}
	}
}

var newBatch = nntest.NewBatch
