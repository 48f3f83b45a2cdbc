package filters

import (
	"math"
	"testing"

	"sdapipe/dynamics"
)

// BenchmarkBPF runs the method notes' Lorenz scenarios at full size: 2¹⁴
// particles, paths of 65 states, 1024 kept (the PyTorch reference takes
// 0.3-0.4 s). The log-likelihood is the scenarios' Gaussian one on the
// standardised first coordinate.
func BenchmarkBPF(b *testing.B) {
	for _, sc := range []struct {
		name      string
		step, obs int
		sd        float64
	}{{"lo", 8, 9, 0.05}, {"hi", 1, 65, 0.25}} {
		b.Run(sc.name, func(b *testing.B) {
			l := dynamics.NewLorenz63()
			cfg := DefaultConfig(sc.step, sc.obs, 1)
			truth, err := dynamics.Generate(l, 1, 64, sc.step*sc.obs, 7)
			if err != nil {
				b.Fatal(err)
			}
			y := make([]float64, sc.obs)
			for j := range y {
				y[j] = (truth[((j+1)*sc.step-1)*3] - l.Mean[0]) / l.Scale[0]
			}
			c := -math.Log(sc.sd) - 0.5*math.Log(2*math.Pi)
			logLik := func(j int, x []float64) float64 {
				r := (y[j] - (x[0]-l.Mean[0])/l.Scale[0]) / sc.sd
				return c - 0.5*r*r
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := BPF(l, cfg, logLik); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
