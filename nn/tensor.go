package nn

// maxRank is the largest rank a tape node stores without allocating:
// (N, C, H, W) fields plus room for a window axis.
const maxRank = 6

// A Tensor is a contiguous row-major float32 array with a shape.
//
// Tensors made by a Tape are views into its arena: Data and Grad are valid
// until the tape's next Reset. Grad is nil for tensors that get no gradient.
type Tensor struct {
	Shape []int
	Data  []float32
	Grad  []float32
	n     *node // the tape node that produced it; nil for free tensors
}

// Rows returns Shape[0], the number of examples.
func (t *Tensor) Rows() int { return t.Shape[0] }

// Cols returns the product of Shape[1:], the values per example.
func (t *Tensor) Cols() int {
	c := 1
	for _, d := range t.Shape[1:] {
		c *= d
	}
	return c
}

// Len returns the number of values, the product of Shape.
func (t *Tensor) Len() int { return shapeLen(t.Shape) }

func shapeLen(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// grow returns buf resliced to n values, reallocating only when its capacity
// is short. Contents are not preserved when it reallocates.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n, n+n/8)
	}
	return buf[:n]
}
