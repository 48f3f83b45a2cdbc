package assim

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"sdapipe/dynamics"
	"sdapipe/observe"
	"sdapipe/optim"
)

// benchScenarios are the default study's Lorenz scenarios (docs/method.md
// §4.3): L = 65, the standardised first variable observed every 8th state
// with σ 0.05 ("lo") or at every state with σ 0.25 ("hi").
var benchScenarios = []struct {
	name string
	step int
	sd   float64
}{{"lo", 8, 0.05}, {"hi", 1, 0.25}}

// BenchmarkSmoothWindow times one observation set's EnKS posterior: N
// climatological members (64 burn-in transitions) through the window.
func BenchmarkSmoothWindow(b *testing.B) {
	sel := must(observe.NewSelect(1, 3, []int{0}, []int{0}))
	for _, sc := range benchScenarios {
		l, _, obs := lorenzWindow(b, 65, sc.step, sel, sc.sd, 1)
		for _, u := range []Update{Sqrt, PertObs} {
			for _, n := range []int{64, 256, 1024} {
				b.Run(fmt.Sprintf("%s/%v/N=%d", sc.name, u, n), func(b *testing.B) {
					dst := make([]float64, n*65*3)
					rng := rand.New(rand.NewPCG(1, 2))
					b.ReportAllocs()
					for b.Loop() {
						if err := SmoothWindow(dst, n, 65, l, 64, obs, EnKFConfig{Update: u, Inflation: 1.02}, rng); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkVar4DWindow times one observation set's 4D-Var posterior:
// quasi-static strong-constraint minimisation (then weak-constraint), and
// N Laplace samples.
func BenchmarkVar4DWindow(b *testing.B) {
	sel := must(observe.NewSelect(1, 3, []int{0}, []int{0}))
	l := dynamics.NewLorenz63()
	mean, cov := Climatology(l, 1000, 100000, rand.New(rand.NewPCG(1, 1)))
	bg := must(NewBackground(mean, cov))
	for _, sc := range benchScenarios {
		_, _, obs := lorenzWindow(b, 65, sc.step, sel, sc.sd, 1)
		for _, weak := range []bool{false, true} {
			for _, n := range []int{64, 1024} {
				name := "strong"
				if weak {
					name = "weak"
				}
				b.Run(fmt.Sprintf("%s/%s/N=%d", sc.name, name, n), func(b *testing.B) {
					dst := make([]float64, n*65*3)
					rng := rand.New(rand.NewPCG(1, 2))
					cfg := Var4DConfig{Weak: weak, Settings: optim.Settings{GradTol: 1e-3, MaxIter: 2000}}
					var iters int
					b.ReportAllocs()
					for b.Loop() {
						_, res, err := Var4DWindow(dst, 65, l, bg, obs, cfg, rng)
						if err != nil {
							b.Fatal(err)
						}
						iters = res.Iter
					}
					b.ReportMetric(float64(iters), "iters")
				})
			}
		}
	}
}

// BenchmarkFilterCycle times one DAPPER sakov2012 cycle (25 model steps
// and an analysis) of the N = 10 ETKF with rotation.
func BenchmarkFilterCycle(b *testing.B) {
	m := dapperModel()
	rng := rand.New(rand.NewPCG(1, 2))
	f, err := NewFilter(m, dapperInitial(10, rng), EnKFConfig{Update: Sqrt, Inflation: 1.02, Rotate: true})
	if err != nil {
		b.Fatal(err)
	}
	tw := simulateDapper(rand.New(rand.NewPCG(3, 4)))
	h, r := Identity(3), []float64{2, 2, 2}
	ko := 0
	b.ReportAllocs()
	for b.Loop() {
		for range 25 {
			f.Forecast(rng)
		}
		if err := f.Analyse(h, tw.yy[3*ko:3*ko+3], r, rng); err != nil {
			b.Fatal(err)
		}
		ko = (ko + 1) % (dapperKo + 1)
	}
}
