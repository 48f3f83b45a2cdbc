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
	packed          *packedFilter
}

// NewConv2D returns a zero layer whose parameters are named name+".weight"
// and name+".bias". It panics unless in, out ≥ 1 and stride is 1 or 2.
func NewConv2D(name string, in, out, stride int) *Conv2D {
	if in < 1 || out < 1 || (stride != 1 && stride != 2) {
		panic("nn: NewConv2D needs positive channel counts and stride 1 or 2")
	}
	return &Conv2D{
		In: in, Out: out, Stride: stride,
		W:      newParam(name+".weight", out, in, 3, 3),
		B:      newParam(name+".bias", out),
		packed: &packedFilter{f: conv.NewFilter(in, out, stride, conv.Config{})},
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

// Filter returns the layer's weights packed for package conv's passes on
// input images of h×w pixels: for Forward and, with backward, also for
// BackwardData. The packed filter is kept with a copy of the weights it
// was packed from and repacked only when their bits change, so the tapes
// of a training step's micro-batches and shards, and a model's inference
// path, share one packing per change of the weights (packing, with the
// Winograd transform, costs more than the comparison). Filter is safe for
// concurrent use, but the weights must not change while a pass reads the
// returned filter.
func (c *Conv2D) Filter(h, w int, backward bool) *conv.Filter {
	pf := c.packed
	pf.mu.Lock()
	defer pf.mu.Unlock()
	if pf.h != h || pf.w != w || !sameBits(pf.src, c.W.Data) {
		pf.src = append(pf.src[:0], c.W.Data...)
		pf.h, pf.w, pf.fwd, pf.bwd = h, w, false, false
	}
	if !pf.fwd {
		pf.f.Pack(c.W.Data, h, w)
		pf.fwd = true
	}
	if backward && !pf.bwd {
		pf.f.PackBackward(c.W.Data, h, w)
		pf.bwd = true
	}
	return pf.f
}

// packedFilter is a layer's filter packed from weights equal (bit for
// bit) to src, for input images of h×w, for the forward pass and the input
// gradient.
type packedFilter struct {
	mu       sync.Mutex
	f        *conv.Filter
	src      []float32
	h, w     int
	fwd, bwd bool
}

// convTape is a tape's convolution state: a pool of scratch spaces for
// the image chunks of a pass, and the weight-gradient partial sums of
// chunks.
type convTape struct {
	mu   sync.Mutex
	free []*conv.Scratch
	part []float32
	job  convJob
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
