package assim_test

import (
	"fmt"
	"math/rand/v2"

	"sdapipe/assim"
	"sdapipe/dynamics"
	"sdapipe/observe"
	"sdapipe/optim"
)

// The "lo" scenario of one window: the standardised first variable
// observed every 8th of 65 states with noise 0.05, assimilated by the
// ensemble Kalman smoother and by weak-constraint 4D-Var.
func Example() {
	l := dynamics.NewLorenz63()
	truth, _ := dynamics.Generate(l, 1, 64, 65, 7)
	times, _ := observe.Every(0, 8, 65)
	sel, _ := observe.NewSelect(65, 3, []int{0}, times)
	y := make([]float64, len(times))
	xs := make([]float64, len(truth))
	l.Standardize(xs, truth)
	sel.Apply64(y, xs) // noise-free here, for brevity
	obs, err := assim.FromDescription(sel.Describe(), y, 0.05, l)
	if err != nil {
		panic(err)
	}

	const n, length = 256, 65
	enks := make([]float64, n*length*3)
	rng := rand.New(rand.NewPCG(1, 2))
	if err := assim.SmoothWindow(enks, n, length, l, 64, obs, assim.EnKFConfig{Update: assim.Sqrt}, rng); err != nil {
		panic(err)
	}

	mean, cov := assim.Climatology(l, 1000, 20000, rng)
	bg, _ := assim.NewBackground(mean, cov)
	fourDVar := make([]float64, n*length*3)
	cfg := assim.Var4DConfig{Weak: true, Settings: optim.Settings{GradTol: 1e-3}}
	_, res, err := assim.Var4DWindow(fourDVar, length, l, bg, obs, cfg, rng)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(enks)/(length*3), len(fourDVar)/(length*3), res.Status)
	// Output: 256 256 gradient converged
}
