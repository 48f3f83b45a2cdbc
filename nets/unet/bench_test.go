package unet

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"sdapipe/nets"
	"sdapipe/nn"
	"sdapipe/nn/nntest"
)

// benchWidths are the widths compared with torch_unet_bench.py (the
// project's PyTorch reference timing script): the default (64, 128, 256)
// and a narrower (32, 64, 128); 64×64 fields, windows of 5 states of 2
// channels, the forcing channel.
var benchWidths = [][]int{{32, 64, 128}, {64, 128, 256}}

func benchNet(b *testing.B, widths []int) *Net {
	n, err := New(KolmogorovConfig(5, 64, 64, widths...), rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	return n
}

func widthName(w []int) string { return fmt.Sprintf("widths=%d,%d,%d", w[0], w[1], w[2]) }

// BenchmarkTrainStep is one training step (forward, backward, AdamW) at
// batch 32 (docs/method.md §3), torch_unet_bench.py's "train step".
func BenchmarkTrainStep(b *testing.B) {
	for _, w := range benchWidths {
		b.Run(widthName(w), func(b *testing.B) {
			n := benchNet(b, w)
			tr := nn.NewTrainer(n, 2e-4, 1e-3)
			bt := nntest.NewBatch(rand.New(rand.NewPCG(3, 4)), 32, nets.EventSize(n))
			tr.Step(bt.Xt, bt.T, bt.Eps, bt.Rows, 2e-4)
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				tr.Step(bt.Xt, bt.T, bt.Eps, bt.Rows, 2e-4)
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkEps is the forward pass of one composite evaluation: 25
// windows, as for a 29-state trajectory (docs/method.md §2.8), at one time.
func BenchmarkEps(b *testing.B) {
	for _, w := range benchWidths {
		b.Run(widthName(w), func(b *testing.B) {
			n := benchNet(b, w)
			const rows = 25
			x := nntest.RandVec(rand.New(rand.NewPCG(5, 6)), rows*nets.EventSize(n))
			dst := make([]float32, len(x))
			n.Eps(dst, x, rows, 0.5)
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				n.Eps(dst, x, rows, 0.5)
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkEpsVJP is the forward pass and input VJP of one composite
// evaluation of 25 windows, with a cotangent of ones as in
// torch_unet_bench.py.
func BenchmarkEpsVJP(b *testing.B) {
	for _, w := range benchWidths {
		b.Run(widthName(w), func(b *testing.B) {
			n := benchNet(b, w)
			const rows = 25
			x := nntest.RandVec(rand.New(rand.NewPCG(5, 6)), rows*nets.EventSize(n))
			eps, grad := make([]float32, len(x)), make([]float32, len(x))
			ones := func(_, w []float32) {
				for i := range w {
					w[i] = 1
				}
			}
			n.EpsVJP(eps, grad, x, rows, 0.5, ones)
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				n.EpsVJP(eps, grad, x, rows, 0.5, ones)
			}
			reportCPU(b, cpu)
		})
	}
}

// reportCPU reports the process CPU seconds per operation since cpu0 (all
// goroutines; ideally about twice the wall time on two idle cores), when
// measured.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	}
}
