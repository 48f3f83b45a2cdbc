package dynamics_test

import (
	"fmt"

	"sdapipe/dynamics"
)

func ExampleGenerate() {
	l := dynamics.NewLorenz63()
	data, err := dynamics.Generate(l, 1024, 1024, 1024, 1)
	if err != nil {
		panic(err)
	}
	train, valid, test := dynamics.Split(1024)
	fmt.Println(len(data), train, valid, test)
	l.Standardize(data, data) // the unit-scale space of the score network
	// Output: 3145728 819 102 103
}

func ExampleChain_TrajectoryLogPrior() {
	l := dynamics.NewLorenz63()
	ch := dynamics.NewChain(l)
	traj := make([]float64, 65*3)
	copy(traj, []float64{1, 2, 20})
	for i := 1; i < 65; i++ { // noiseless: every residual is zero
		ch.Map(traj[3*i:3*i+3], traj[3*i-3:3*i])
	}
	fmt.Printf("%.2f\n", ch.TrajectoryLogPrior(traj))
	// Output: 177.70
}
