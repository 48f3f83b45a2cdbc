package nn

import (
	"bytes"
	"math"
	"math/rand/v2"
	"sync"
	"unsafe"

	"sdapipe/nn/conv"
)

// A Conv2D layer is a 3×3 convolution with circular padding of one pixel
// and stride 1 or 2 over NHWC images (docs/method.md §2.7): for input x
// (N, H, W, In) it computes y (N, H/s, W/s, Out),
//
//	y[n, i, j, o] = B[o] + Σ_{c, dy, dx} W[o, c, dy+1, dx+1] · x[n, (s·i+dy) mod H, (s·j+dx) mod W, c]
//
// with dy, dx ∈ {−1, 0, 1}: PyTorch's Conv2d(In, Out, 3, stride=s,
// padding=1, padding_mode="circular"). The arithmetic is package conv's.
type Conv2D struct {
	In, Out, Stride int
	W               *Param // (Out, In, 3, 3)
	B               *Param // (Out)
}

// NewConv2D returns a zero layer whose parameters are named name+".weight"
// and name+".bias". It panics unless in, out ≥ 1 and stride is 1 or 2.
func NewConv2D(name string, in, out, stride int) *Conv2D {
	if in < 1 || out < 1 || (stride != 1 && stride != 2) {
		panic("nn: NewConv2D needs positive channel counts and stride 1 or 2")
	}
	return &Conv2D{
		In: in, Out: out, Stride: stride,
		W: newParam(name+".weight", out, in, 3, 3),
		B: newParam(name+".bias", out),
	}
}

// Init fills the layer with PyTorch's default initialisation of
// nn.Conv2d (docs/method.md §2.4): Kaiming-uniform with a = √5, that is
// U(±1/√fan_in) with fan_in = 9·In, for W, and U(±1/√fan_in) for B. W is
// drawn first, in its (Out, In, 3, 3) order, then B.
func (c *Conv2D) Init(rng *rand.Rand) {
	bound := 1 / math.Sqrt(float64(9*c.In))
	for i := range c.W.Data {
		c.W.Data[i] = float32((2*rng.Float64() - 1) * bound)
	}
	for i := range c.B.Data {
		c.B.Data[i] = float32((2*rng.Float64() - 1) * bound)
	}
}

// convTape is a tape's convolution state: a packed filter per layer (the
// tape's own, so tapes on other goroutines can pack the same layer), a
// pool of scratch spaces for the image chunks of a pass, and the
// weight-gradient partial sums of chunks.
type convTape struct {
	filters map[*Conv2D]*tapeFilter
	mu      sync.Mutex
	free    []*conv.Scratch
	part    []float32
	job     convJob
}

// tapeFilter is a layer's filter packed from weights equal (bit for bit)
// to src, for input images of h×w, for the forward pass and the input
// gradient. A training step's micro-batches reuse it: the weights only
// change between steps, and packing (with the Winograd transform) costs
// more than comparing.
type tapeFilter struct {
	f        *conv.Filter
	src      []float32
	h, w     int
	fwd, bwd bool
}

// filter returns c's filter packed for h×w images, for the forward pass
// and, with backward, the input gradient.
func (ct *convTape) filter(c *Conv2D, h, w int, backward bool) *conv.Filter {
	tf, ok := ct.filters[c]
	if !ok {
		if ct.filters == nil {
			ct.filters = map[*Conv2D]*tapeFilter{}
		}
		tf = &tapeFilter{f: conv.NewFilter(c.In, c.Out, c.Stride, conv.Config{})}
		ct.filters[c] = tf
	}
	if tf.h != h || tf.w != w || !sameBits(tf.src, c.W.Data) {
		tf.src = append(tf.src[:0], c.W.Data...)
		tf.h, tf.w, tf.fwd, tf.bwd = h, w, false, false
	}
	if !tf.fwd {
		tf.f.Pack(c.W.Data, h, w)
		tf.fwd = true
	}
	if backward && !tf.bwd {
		tf.f.PackBackward(c.W.Data, h, w)
		tf.bwd = true
	}
	return tf.f
}

// sameBits reports whether a and b hold the same float32 bits.
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 {
		return true
	}
	return bytes.Equal(unsafe.Slice((*byte)(unsafe.Pointer(&a[0])), 4*len(a)), unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), 4*len(b)))
}

func (ct *convTape) getScratch() *conv.Scratch {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	if k := len(ct.free); k > 0 {
		sc := ct.free[k-1]
		ct.free = ct.free[:k-1]
		return sc
	}
	return new(conv.Scratch)
}

func (ct *convTape) putScratch(sc *conv.Scratch) {
	ct.mu.Lock()
	ct.free = append(ct.free, sc)
	ct.mu.Unlock()
}
