package nn

// A Param is a named trainable array with its gradient.
//
// Shape follows PyTorch: a Linear weight is (out, in), a bias (out).
// Backward adds into Grad; ZeroGrads clears it.
type Param struct {
	Name  string
	Shape []int
	Data  []float32
	Grad  []float32
}

func newParam(name string, shape ...int) *Param {
	n := shapeLen(shape)
	return &Param{
		Name:  name,
		Shape: append([]int(nil), shape...),
		Data:  make([]float32, n),
		Grad:  make([]float32, n),
	}
}

// NumParams returns the total number of values in ps.
func NumParams(ps []*Param) int {
	n := 0
	for _, p := range ps {
		n += len(p.Data)
	}
	return n
}

// ZeroGrads sets every gradient in ps to zero.
func ZeroGrads(ps []*Param) {
	for _, p := range ps {
		clear(p.Grad)
	}
}
