package nn

import "testing"

func TestAddGrad(t *testing.T) {
	t.Parallel()
	const n = 12
	checkOp(t, opCase{
		name:  "Add",
		sizes: []int{n, n},
		f64:   func(v [][]float64) []float64 { return add64(v[0], v[1]) },
		vjp64: func(v [][]float64, g []float64) [][]float64 { return [][]float64{g, g} },
		run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
			a, b := tp.Var(v[0], 3, 4), tp.Var(v[1], 3, 4)
			return tp.Add(a, b), func() [][]float32 { return [][]float32{a.Grad, b.Grad} }
		},
	})
}

func TestAddSameInputTwice(t *testing.T) {
	t.Parallel()
	// y = a + a: the shared gradient buffer must not be counted once only.
	tp := NewTape()
	a := tp.Var([]float32{1, 2}, 1, 2)
	tp.BackwardWith(tp.Add(a, a), []float32{3, -1})
	if a.Grad[0] != 6 || a.Grad[1] != -2 {
		t.Fatalf("grad %v, want [6 -2]", a.Grad)
	}
}
