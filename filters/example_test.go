package filters_test

import (
	"fmt"
	"math"

	"sdapipe/dynamics"
	"sdapipe/filters"
)

// The "lo" scenario: the standardised first coordinate observed every 8th
// state with noise 0.05, 9 observations, paths of 65 states.
func ExampleBPF() {
	l := dynamics.NewLorenz63()
	y := []float64{0.1, 0.5, 0.9, 1.0, 0.6, 0.0, -0.5, -0.9, -1.0} // observed ã
	const sd = 0.05
	logLik := func(j int, x []float64) float64 {
		r := (y[j] - (x[0]-l.Mean[0])/l.Scale[0]) / sd
		return -0.5*r*r - math.Log(sd) - 0.5*math.Log(2*math.Pi)
	}
	cfg := filters.DefaultConfig(8, 9, 1)
	cfg.Particles = 4096 // the method notes use 2¹⁴
	res, err := filters.BPF(l, cfg, logLik)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Keep, res.Length, res.Dim, len(res.Paths))
	// Output: 1024 65 3 199680
}
