package unet

import (
	"math/rand/v2"
	"testing"

	"sdapipe/nn"
	"sdapipe/nn/nntest"
)

// smallConfig is a U-Net small enough for tests: widths (4, 8, 16), two
// blocks per level, a 16×16 field, the forcing channel, a narrow embedding.
func smallConfig() Config {
	return Config{Widths: []int{4, 8, 16}, Blocks: 2, Embed: 8, EmbedHidden: 16,
		Channels: 10, ForcingWavenumber: 4, H: 16, W: 16}
}

// tapeEps runs the tape forward pass on rows windows x at times ts and
// returns ε channel-major, with the tape and the input variable.
func tapeEps(n *Net, x, ts []float32, rows int) ([]float32, *nn.Tape, *nn.Tensor, *nn.Tensor) {
	cfg := n.cfg
	tp := nn.NewTape()
	xv := tp.Var(x, rows, cfg.Channels, cfg.H, cfg.W)
	y := n.Forward(tp, xv, tp.Const(ts, rows))
	out := make([]float32, len(x))
	pix := cfg.H * cfg.W
	for i := range rows {
		nn.ToCHW(out[i*cfg.Channels*pix:(i+1)*cfg.Channels*pix], y.Data[i*cfg.Channels*pix:(i+1)*cfg.Channels*pix], cfg.Channels, cfg.Channels, pix, false)
	}
	return out, tp, xv, y
}

// The inference path does the tape's arithmetic but for the time
// embedding (fused AVX-512 SiLU on the tape, scalar here) and the order of
// two additions; 1e-5 covers float32 rounding through ~40 layers.
const pathTol = 1e-5

func TestInferenceMatchesTape(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	n, err := New(smallConfig(), rng)
	if err != nil {
		t.Fatal(err)
	}
	const rows = 3
	size := 10 * 16 * 16
	x := nntest.RandVec(rng, rows*size)
	ts := []float32{0.3, 0.3, 0.3}
	want, tp, xv, y := tapeEps(n, x, ts, rows)

	got := make([]float32, len(x))
	n.Eps(got, x, rows, 0.3)
	compare(t, "Eps", got, want)

	tr := []float32{0.1, 0.5, 0.93}
	wantRows, _, _, _ := tapeEps(n, x, tr, rows)
	n.EpsRows(got, x, tr, rows)
	compare(t, "EpsRows", got, wantRows)

	// Input VJP against the tape's input gradient for the same cotangent.
	w := nntest.RandVec(rng, rows*size)
	wNHWC := make([]float32, len(w))
	for i := range rows {
		nn.FromCHW(wNHWC[i*size:(i+1)*size], w[i*size:(i+1)*size], nil, 10, 10, 256)
	}
	tp.BackwardWith(y, wNHWC)
	grad := make([]float32, len(x))
	eps := make([]float32, len(x))
	n.EpsVJP(eps, grad, x, rows, 0.3, func(e, cw []float32) {
		compare(t, "EpsVJP eps", e, want)
		copy(cw, w)
	})
	compare(t, "EpsVJP grad", grad, xv.Grad)
}

func compare(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range got {
		if !nntest.Near(float64(got[i]), float64(want[i]), pathTol, pathTol) {
			t.Fatalf("%s: [%d] = %g, want %g", what, i, got[i], want[i])
		}
	}
}

func TestInferenceSeesNewWeights(t *testing.T) {
	t.Parallel()
	// The inference path repacks a filter only when its weights changed:
	// after a training step it must follow the tape again.
	rng := rand.New(rand.NewPCG(7, 8))
	n, err := New(smallConfig(), rng)
	if err != nil {
		t.Fatal(err)
	}
	const rows = 2
	size := 10 * 16 * 16
	x := nntest.RandVec(rng, rows*size)
	got := make([]float32, len(x))
	n.Eps(got, x, rows, 0.6)
	before := append([]float32(nil), got...)
	b := nntest.NewBatch(rng, rows, size)
	if _, err := nn.NewTrainer(n, 1e-2, 0).Step(b.Xt, b.T, b.Eps, rows, 1e-2); err != nil {
		t.Fatal(err)
	}
	n.Eps(got, x, rows, 0.6)
	want, _, _, _ := tapeEps(n, x, []float32{0.6, 0.6}, rows)
	compare(t, "Eps after a step", got, want)
	same := true
	for i := range got {
		same = same && got[i] == before[i]
	}
	if same {
		t.Fatal("Eps did not change after a training step")
	}
}
