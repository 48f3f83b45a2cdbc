package nn_test

import (
	"fmt"

	"sdapipe/nn"
)

// A two-input linear layer on the tape: forward value, then the gradients
// of y = w·x + b with respect to the weights, the bias and the input.
func ExampleTape() {
	l := nn.NewLinear("l", 2, 1)
	copy(l.W.Data, []float32{0.5, -1})
	l.B.Data[0] = 0.25
	tp := nn.NewTape()
	x := tp.Var([]float32{2, 3}, 1, 2)
	y := tp.Linear(l, x)
	tp.Backward(y)
	fmt.Println("y =", y.Data)
	fmt.Println("dy/dW =", l.W.Grad, "dy/db =", l.B.Grad, "dy/dx =", x.Grad)
	// Output:
	// y = [-1.75]
	// dy/dW = [2 3] dy/db = [1] dy/dx = [0.5 -1]
}

// The layer norm of docs/method.md §2.4 and the gradient of its first output. Row
// (1, 2, 3) has mean 2 and unbiased variance 1, so y ≈ (−1, 0, 1) and
// ∂y₀/∂x = (2/3 − 1/2, −1/3, −1/3 + 1/2).
func ExampleTape_LayerNorm() {
	tp := nn.NewTape()
	x := tp.Var([]float32{1, 2, 3}, 1, 3)
	y := tp.LayerNorm(x)
	tp.BackwardWith(y, []float32{1, 0, 0})
	fmt.Printf("y = %.4f\n", y.Data)
	fmt.Printf("dy0/dx = %.4f\n", x.Grad)
	// Output:
	// y = [-1.0000 0.0000 1.0000]
	// dy0/dx = [0.1667 -0.3333 0.1667]
}
