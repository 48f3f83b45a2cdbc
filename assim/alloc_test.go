package assim

import (
	"math/rand/v2"
	"testing"

	"sdapipe/observe"
)

// TestHotPathsDoNotAllocate: a filter cycle, a particle filter cycle and
// the 4D-Var costs allocate nothing once their scratch exists.
func TestHotPathsDoNotAllocate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := dapperModel()
	h, r, y := Identity(3), []float64{2, 2, 2}, []float64{1, 2, 20}
	f, err := NewFilter(m, dapperInitial(10, rng), EnKFConfig{Update: Sqrt, Inflation: 1.02, Rotate: true})
	if err != nil {
		t.Fatal(err)
	}
	pf, err := NewPF(m, dapperInitial(50, rng), PFConfig{NER: 1, Reg: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	sel := must(observe.NewSelect(1, 3, []int{0}, []int{0}))
	l, truth, obs := lorenzWindow(t, 33, 4, sel, 0.1, 5)
	s := must(NewStrong(l, 33, obs, IsotropicBackground(truth[:3], 1)))
	w := must(NewWeak(l, 33, obs, IsotropicBackground(truth[:3], 1)))
	g3, g := make([]float64, 3), make([]float64, len(truth))
	for name, fn := range map[string]func(){
		"Filter": func() {
			f.Forecast(rng)
			f.Analyse(h, y, r, rng)
		},
		"PF": func() {
			pf.Forecast(rng)
			pf.Reweight(h, y, r)
			pf.Resample(rng)
		},
		"Strong.Cost": func() { s.Cost(g3, truth[:3]) },
		"Weak.Cost":   func() { w.Cost(g, truth) },
	} {
		fn() // warm-up: lazily sized scratch
		if n := testing.AllocsPerRun(20, fn); n != 0 {
			t.Errorf("%s allocated %v times per call, want 0", name, n)
		}
	}
}
