package conv

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"sdapipe/nn/gemm"
)

// benchGeoms are the U-Net's convolutions at widths (64, 128, 256) on
// 64×64 fields, four images per call: a block's convolution at each level,
// the stride-2 heads and the decoder tails' convolutions after ×2
// upsampling.
var benchGeoms = []struct {
	name string
	g    geom
}{
	{"L0-64x64x64-64", geom{4, 64, 64, 64, 64, 1}},
	{"L1-32x32x128-128", geom{4, 32, 32, 128, 128, 1}},
	{"L2-16x16x256-256", geom{4, 16, 16, 256, 256, 1}},
	{"head1-64x64x64-128s2", geom{4, 64, 64, 64, 128, 2}},
	{"tail1-64x64x128-64", geom{4, 64, 64, 128, 64, 1}},
	{"head0-64x64x11-64", geom{4, 64, 64, 11, 64, 1}},
	{"final-64x64x64-10", geom{4, 64, 64, 64, 10, 1}},
}

// BenchmarkConv reports GFLOP/s (2·9·Cin·Cout per output pixel) and %peak
// against gemm.PeakGFLOPS on one goroutine for the three passes, and for
// the stride-1 passes that take Winograd also the direct method
// ("-direct"). Winograd's rate counts the direct method's FLOPs for the
// same convolution, so its %peak can exceed 100.
func BenchmarkConv(b *testing.B) {
	for _, bg := range benchGeoms {
		wino := bg.g.s == 1 && min(bg.g.cin, bg.g.cout) >= minWino
		for _, pass := range []string{"fwd", "fwd-direct", "bwdData", "bwdData-direct", "bwdWeights", "bwdWeights-direct"} {
			direct := strings.HasSuffix(pass, "-direct")
			if direct && !wino {
				continue
			}
			b.Run(bg.name+"/"+pass, func(b *testing.B) {
				benchConv(b, bg.g, strings.TrimSuffix(pass, "-direct"), Config{Direct: direct})
			})
		}
	}
}

// BenchmarkConvPath compares the kernel paths on a block convolution.
func BenchmarkConvPath(b *testing.B) {
	for _, p := range Paths() {
		b.Run(fmt.Sprintf("%v/L1-32x32x128-128/fwd", p), func(b *testing.B) {
			benchConv(b, geom{2, 32, 32, 128, 128, 1}, "fwd", Config{Path: p})
		})
	}
}

func benchConv(b *testing.B, g geom, pass string, cfg Config) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := randVec(rng, g.n*g.h*g.w*g.cin)
	wt := randVec(rng, g.cout*g.cin*9)
	bias := randVec(rng, g.cout)
	y := randVec(rng, g.n*g.ho()*g.wo()*g.cout)
	dw := make([]float32, len(wt))
	f := NewFilter(g.cin, g.cout, g.s, cfg)
	f.Pack(wt, g.h, g.w)
	f.PackBackward(wt, g.h, g.w)
	var sc Scratch
	run := func() {
		switch pass {
		case "fwd":
			f.Forward(&sc, y, x, bias, g.n, g.h, g.w, false)
		case "bwdData":
			f.BackwardData(&sc, x, y, g.n, g.h, g.w, false)
		case "bwdWeights":
			f.BackwardWeights(&sc, dw, x, y, g.n, g.h, g.w)
		}
	}
	run()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	peak := gemm.PeakGFLOPS(f.Path(), 1)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := threadCPU()
	for b.Loop() {
		run()
	}
	cpu := threadCPU() - cpu0
	b.StopTimer()
	reportRates(b, 2*9*float64(g.n*g.ho()*g.wo()*g.cin*g.cout)*float64(b.N), cpu, max(peak, gemm.PeakGFLOPS(f.Path(), 1)))
}

// reportRates reports GFLOP/s and %peak (against peak, 0 for none) by wall
// time, and the same per second of the benchmark thread's CPU time
// (GFLOP/cpu-s, %peak-cpu) where it is measured: on a machine shared with
// other processes the wall figures fall with the share of the core others
// take, the CPU-time figures do not.
func reportRates(b *testing.B, flops float64, cpu time.Duration, peak float64) {
	rate := flops / b.Elapsed().Seconds() / 1e9
	b.ReportMetric(rate, "GFLOP/s")
	if peak > 0 {
		b.ReportMetric(100*rate/peak, "%peak")
	}
	if cpu > 0 {
		crate := flops / cpu.Seconds() / 1e9
		b.ReportMetric(crate, "GFLOP/cpu-s")
		if peak > 0 {
			b.ReportMetric(100*crate/peak, "%peak-cpu")
		}
	}
}
