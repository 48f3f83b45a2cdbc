package metrics_test

import (
	"fmt"

	"sdapipe/metrics"
)

// In one dimension the optimal plan pairs sorted samples:
// (0→2) + (1→3) + (5→10) = 9 over 3 pairs.
func ExampleW1() {
	x := []float64{5, 0, 1}
	y := []float64{10, 3, 2}
	w, err := metrics.W1(x, y, 1)
	fmt.Println(w, err)
	// Output: 3 <nil>
}

func ExampleAssign() {
	cost := []float64{
		4, 1, 3,
		2, 0, 5,
		3, 2, 2,
	}
	perm := make([]int, 3)
	total, _ := metrics.Assign(perm, cost, 3)
	fmt.Println(perm, total)
	// Output: [1 0 2] 5
}
