package diffusion

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"sdapipe/observe"
)

// cheapDen is the fake local network of the benchmarks: ε = a·x, VJP a·w.
// It costs one pass over memory, so what a benchmark measures around it is
// the composite's and guidance's own overhead.
type cheapDen struct {
	a    float32
	wbuf []float32
}

func (d *cheapDen) Eps(dst, x []float32, n int, t float32) {
	for i, v := range x {
		dst[i] = d.a * v
	}
}

func (d *cheapDen) EpsVJP(eps, grad, x []float32, n int, t float32, cot func(eps, w []float32)) {
	d.Eps(eps, x, n, t)
	if cap(d.wbuf) < len(eps) {
		d.wbuf = make([]float32, len(eps))
	}
	w := d.wbuf[:len(eps)]
	cot(eps, w)
	for i, v := range w {
		grad[i] = d.a * v
	}
}

// BenchmarkComposite measures Algorithm 2 and guidance on 256 events of
// 65 Lorenz states, windows of 3, 5 and 9 states: "local" is the fake
// network alone on the unfolded batch, the rest include it.
func BenchmarkComposite(b *testing.B) {
	const n, l, d = 256, 65, 3
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n*l*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	dst, grad := make([]float32, len(x)), make([]float32, len(x))
	lo, err := observe.Every(0, 8, l)
	if err != nil {
		b.Fatal(err)
	}
	op, err := observe.NewSelect(l, d, []int{0}, lo)
	if err != nil {
		b.Fatal(err)
	}
	y := make([]float32, n*op.Outputs())
	cot := func(eps, w []float32) { copy(w, eps) }
	for _, k := range []int{1, 2, 4} {
		local := &cheapDen{a: 0.5}
		c, err := NewComposite(local, k, l, d)
		if err != nil {
			b.Fatal(err)
		}
		rows := n * c.Windows()
		win := make([]float32, rows*c.Features())
		out := make([]float32, len(win))
		gauss := &GaussianGuidance{Inner: c, Op: op, Y: y, Std: 0.05, Gamma: 1e-2, Sched: VPCosine{}}
		dps := &DPSGuidance{Inner: c, Op: op, Y: y, Zeta: 1, Sched: VPCosine{}}
		for _, bc := range []struct {
			name string
			f    func()
		}{
			{"local", func() { local.Eps(out, win, rows, 0.5) }},
			{"Eps", func() { c.Eps(dst, x, n, 0.5) }},
			{"EpsVJP", func() { c.EpsVJP(dst, grad, x, n, 0.5, cot) }},
			{"GaussianGuidance", func() { gauss.Eps(dst, x, n, 0.5) }},
			{"DPSGuidance", func() { dps.Eps(dst, x, n, 0.5) }},
		} {
			b.Run(fmt.Sprintf("window=%d/%s", 2*k+1, bc.name), func(b *testing.B) {
				bc.f()
				b.ReportAllocs()
				for b.Loop() {
					bc.f()
				}
			})
		}
	}
}

// BenchmarkPCStep measures the sampler's own cost per step (predictor,
// corrections, noise draws, finiteness checks) around the closed-form
// denoiser of N(0, I), for batches of 64 and 256 events of 65×3 values.
func BenchmarkPCStep(b *testing.B) {
	const e, steps = 65 * 3, 16
	for _, n := range []int{64, 256} {
		for _, c := range []int{0, 1} {
			b.Run(fmt.Sprintf("events=%d/C=%d", n, c), func(b *testing.B) {
				p := &PC{Sched: VPCosine{}, Steps: steps, Corrections: c, Tau: 0.25}
				x := make([]float32, n*e)
				var den Denoiser = isoDen{lambda: 1, sched: VPCosine{}}
				rng := rand.New(rand.NewPCG(1, 1))
				if err := p.Sample(x, n, den, rng, nil); err != nil { // sizes the workspace
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := p.Sample(x, n, den, rng, nil); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*steps), "ns/step")
			})
		}
	}
}

// BenchmarkTrainingBatch measures drawing one training batch: windows from
// 819 trajectories of 1024 Lorenz states, then perturbation.
func BenchmarkTrainingBatch(b *testing.B) {
	const nTraj, length, dim = 819, 1024, 3
	data := make([]float32, nTraj*length*dim)
	for _, batch := range []int{256, 1024} {
		for _, window := range []int{5, 9} {
			b.Run(fmt.Sprintf("batch=%d/window=%d", batch, window), func(b *testing.B) {
				f := window * dim
				x, xt, eps := make([]float32, batch*f), make([]float32, batch*f), make([]float32, batch*f)
				ts := make([]float32, batch)
				rng := rand.New(rand.NewPCG(1, 1))
				sched := VPCosine{}
				b.ReportAllocs()
				for b.Loop() {
					if err := SampleWindows(x, data, nTraj, length, dim, window, rng); err != nil {
						b.Fatal(err)
					}
					Perturb(xt, eps, x, ts, f, sched, rng)
				}
			})
		}
	}
}
