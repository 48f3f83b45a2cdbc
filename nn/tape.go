package nn

import "fmt"

// opKind names the op that produced a node; Backward dispatches on it.
type opKind uint8

const (
	opConst opKind = iota
	opVar
	opLinear
	opLinearSiLU
	opAddLinear
	opLinearCat
	opSiLU
	opLayerNorm
	opAdd
	opConcat
	opTimeFeatures
	opMSE
	opConv2D
	opUpsample2x
	opChannelNorm
	opAddPixels
	opNHWC
)

// A node is one recorded op: its output tensor, its inputs and what its
// backward pass needs. Nodes live in the tape's arena and keep their
// buffers across Reset.
type node struct {
	t       Tensor
	kind    opKind
	idx     int   // position on the tape
	a, b    *node // inputs
	lin     *Linear
	cv      *Conv2D
	ival    int
	need    bool // a gradient flows into this node
	gradSet bool // t.Grad holds a contribution in the current Backward
	shape   [maxRank]int
	data    []float32 // owned output buffer (nil for leaves)
	grad    []float32 // owned gradient buffer
	aux     []float32 // saved for backward: SiLU derivative, 1/std, …
}

// A Tape records ops on tensors and computes gradients in reverse.
//
// A Tape is not safe for concurrent use. Tensors it returns are valid until
// Reset. Backward adds parameter gradients into Param.Grad and writes input
// gradients into the Grad of tensors made with Var.
type Tape struct {
	nodes  []*node
	n      int
	jobs   tapeJobs
	part   []float32 // per-chunk column sums
	part64 []float64 // per-chunk loss sums
	zero   []float32 // a zero bias
	// grads, when set, receives parameter gradients instead of Param.Grad
	// (one shard of a data-parallel step); set before recording.
	grads map[*Param][]float32
	cx    convTape // convolution filters and scratch
}

// tapeJobs holds one job struct per kind of parallel pass; ops run one at
// a time, so one of each suffices and passing them on allocates nothing.
type tapeJobs struct {
	serial  bool // run passes on the calling goroutine only
	bias    biasJob
	silu    siluJob
	col     colSumJob
	ln      lnJob
	lnb     lnBackJob
	ew      ewJob
	mse     mseJob
	up      upJob
	pix     pixJob
	pixPart []float32 // AddPixels' column-sum partials
	nhwc    nhwcJob
	lnAdd   lnAddJob
}

// NewTape returns an empty tape whose passes and products use all cores.
func NewTape() *Tape { return &Tape{} }

// newShardTape returns a tape that runs on the calling goroutine alone and
// adds parameter gradients into grads[p] instead of p.Grad.
func newShardTape(grads map[*Param][]float32) *Tape {
	tp := &Tape{grads: grads}
	tp.jobs.serial = true
	return tp
}

// gemmWorkers is the goroutine bound for the tape's products (0: all).
func (tp *Tape) gemmWorkers() int {
	if tp.jobs.serial {
		return 1
	}
	return 0
}

// gradOf returns where p's gradient accumulates on this tape.
func (tp *Tape) gradOf(p *Param) []float32 {
	if g, ok := tp.grads[p]; ok {
		return g
	}
	return p.Grad
}

// Reset forgets every recorded op but keeps the buffers for reuse.
func (tp *Tape) Reset() { tp.n = 0 }

// Len returns the number of recorded nodes.
func (tp *Tape) Len() int { return tp.n }

// push takes the next node from the arena and gives it shape.
func (tp *Tape) push(kind opKind, shape ...int) *node {
	if len(shape) > maxRank {
		panic("nn: tensor rank above 6")
	}
	if tp.n == len(tp.nodes) {
		tp.nodes = append(tp.nodes, new(node))
	}
	nd := tp.nodes[tp.n]
	*nd = node{data: nd.data, grad: nd.grad, aux: nd.aux, idx: tp.n, kind: kind}
	tp.n++
	copy(nd.shape[:], shape)
	nd.t = Tensor{Shape: nd.shape[:len(shape)], n: nd}
	return nd
}

// op records an op node with inputs a, b (b may be nil) and an output
// buffer of the given shape.
func (tp *Tape) op(kind opKind, a, b *node, shape ...int) *node {
	nd := tp.push(kind, shape...)
	nd.a, nd.b = a, b
	nd.need = a.need || (b != nil && b.need)
	nd.data = grow(nd.data, nd.t.Len())
	nd.t.Data = nd.data
	return nd
}

func (tp *Tape) leaf(kind opKind, data []float32, shape []int) *Tensor {
	nd := tp.push(kind, shape...)
	if len(data) != nd.t.Len() {
		panic(fmt.Sprintf("nn: leaf of shape %v needs %d values, got %d", nd.t.Shape, nd.t.Len(), len(data)))
	}
	nd.t.Data = data
	nd.need = kind == opVar
	return &nd.t
}

// Const records data (not copied) as an input that gets no gradient.
// It panics if len(data) is not the product of shape.
func (tp *Tape) Const(data []float32, shape ...int) *Tensor {
	return tp.leaf(opConst, data, shape)
}

// Var records data (not copied) as an input whose gradient Backward
// writes into the returned tensor's Grad.
func (tp *Tape) Var(data []float32, shape ...int) *Tensor {
	return tp.leaf(opVar, data, shape)
}

// Backward computes the gradients of the scalar loss (one value) with
// respect to every parameter and Var recorded before it.
func (tp *Tape) Backward(loss *Tensor) {
	one := [1]float32{1}
	tp.BackwardWith(loss, one[:])
}

// BackwardWith computes the vector–Jacobian products wᵀ·∂y/∂θ for every
// parameter θ (added into Param.Grad) and wᵀ·∂y/∂v for every Var v
// (written into v.Grad), where w = dy has y's shape.
func (tp *Tape) BackwardWith(y *Tensor, dy []float32) {
	if y.n == nil || y.n.idx >= tp.n || tp.nodes[y.n.idx] != y.n {
		panic("nn: Backward of a tensor not on this tape")
	}
	if len(dy) != y.Len() {
		panic("nn: BackwardWith: cotangent length does not match the tensor")
	}
	for _, nd := range tp.nodes[:tp.n] {
		nd.gradSet = false
		nd.t.Grad = nil
	}
	if y.n.need {
		g, _ := tp.gradInto(y.n)
		copy(g, dy)
	}
	for i := y.n.idx; i >= 0; i-- {
		nd := tp.nodes[i]
		if nd.need && nd.gradSet {
			tp.backward(nd)
		}
	}
	for _, nd := range tp.nodes[:tp.n] {
		if nd.kind == opVar && !nd.gradSet {
			g, _ := tp.gradInto(nd)
			clear(g)
		}
	}
}

func (tp *Tape) backward(nd *node) {
	switch nd.kind {
	case opConst, opVar:
	case opLinear:
		tp.linearBackward(nd)
	case opLinearSiLU:
		tp.linearSiLUBackward(nd)
	case opAddLinear:
		tp.addLinearBackward(nd)
	case opLinearCat:
		tp.linearCatBackward(nd)
	case opSiLU:
		tp.siluBackward(nd)
	case opLayerNorm:
		tp.layerNormBackward(nd)
	case opAdd:
		tp.addBackward(nd)
	case opConcat:
		tp.concatBackward(nd)
	case opTimeFeatures:
		tp.timeFeaturesBackward(nd)
	case opMSE:
		tp.mseBackward(nd)
	case opConv2D:
		tp.conv2DBackward(nd)
	case opUpsample2x:
		tp.upsample2xBackward(nd)
	case opChannelNorm:
		tp.channelNormBackward(nd)
	case opAddPixels:
		tp.addPixelsBackward(nd)
	case opNHWC:
		tp.nhwcBackward(nd)
	default:
		panic("nn: unknown op on tape")
	}
}

// gradInto returns nd's gradient buffer for a contribution, and whether the
// contribution must be added (true) or may overwrite it (false).
func (tp *Tape) gradInto(nd *node) (g []float32, acc bool) {
	if nd.gradSet {
		return nd.t.Grad, true
	}
	nd.grad = grow(nd.grad, nd.t.Len())
	nd.t.Grad = nd.grad
	nd.gradSet = true
	return nd.t.Grad, false
}

// passGrad gives g to nd unchanged (the gradient of an identity). If nd has
// no gradient yet and share is true, nd takes g itself: the caller's output
// is dead once its backward returns, so nothing else reads g again. At most
// one input of an op may share.
func (tp *Tape) passGrad(nd *node, g []float32, share bool) {
	if !nd.need {
		return
	}
	if !nd.gradSet && share {
		nd.t.Grad = g
		nd.gradSet = true
		return
	}
	dst, acc := tp.gradInto(nd)
	tp.jobs.ew.do(tp.jobs.serial, ewCopy+boolInt(acc), dst, g, nil, len(g))
}

func boolInt(b bool) ewMode {
	if b {
		return 1
	}
	return 0
}

func betaOf(acc bool) float32 {
	if acc {
		return 1
	}
	return 0
}

// rowsOf checks that t is (rows, cols) with the given cols and returns rows.
func rowsOf(op string, t *Tensor, cols int) int {
	if len(t.Shape) == 0 || t.Cols() != cols {
		panic(fmt.Sprintf("nn: %s needs %d values per row, got shape %v", op, cols, t.Shape))
	}
	return t.Shape[0]
}
