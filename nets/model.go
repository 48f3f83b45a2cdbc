// Package nets is the seam between SDA's diffusion code and its networks:
// the Model interface that training and sampling use, and a registry of
// architectures keyed by the name a train stage writes into its network
// configuration ("resmlp", "unet").
//
// A model is a local score network ε_φ(x, t) over window events: a window
// of 2k+1 consecutive states of a trajectory, flattened state-major. For
// a state of shape S (for example [3] for Lorenz 63 or [2, 64, 64] for a
// velocity field) the window is (2k+1)·S values, which a model reads with
// its own event shape: [(2k+1)·3] for the residual MLP, [(2k+1)·2, 64, 64]
// channels × height × width for the U-Net. Both layouts are the same bytes
// in memory, so the composite trajectory score of package diffusion needs
// only the number of values per state.
//
// Package diffusion never imports this package: it sees a Model through
// its own Denoiser and DifferentiableDenoiser interfaces, which every
// Model satisfies.
//
// # Adding an architecture
//
// An architecture is a package of its own under nets (see nets/resmlp):
// a type implementing Model, built from package nn's layers, ops and
// exported kernels, and an *Arch value that names it, declares its
// settings (they become a block of the train stage, e.g. resmlp { width =
// 256 }) and builds it — New from settings for a window, Load from the
// configuration New returned, which the train stage stores in
// network.json. Registering it is one line: add the *Arch to
// stages.DefaultCatalog. Parameters must carry the names of the matching
// PyTorch module's state_dict, so notebooks can load the weights.
package nets

import "sdapipe/nn"

// A Model is a local score network ε_φ(x, t) ≈ −σ(t)·∇ log p(x(t)) over
// window events of a fixed shape (docs/method.md §2.2).
//
// Batches are n events stored contiguously, row-major, float32. The
// inference methods keep scratch space and are not safe for concurrent use
// (Share gives another goroutine its own); Loss may be called concurrently
// on distinct tapes.
type Model interface {
	// EventShape returns the shape of one window event, e.g. [15] or
	// [10, 64, 64]. The slice is shared; do not modify it.
	EventShape() []int

	// Eps writes ε_φ(x, t) for n events of x into dst, all at time t.
	Eps(dst, x []float32, n int, t float32)

	// EpsVJP writes ε_φ(x, t) into eps, calls cot(eps, w), which must
	// fill the cotangent w (len(eps)), and writes grad = wᵀ·∂ε/∂x. No
	// parameter gradients are formed. eps, grad and x must not overlap.
	EpsVJP(eps, grad, x []float32, n int, t float32, cot func(eps, w []float32))

	// EpsRows writes ε_φ(x_i, t_i) for n events, each at its own time.
	EpsRows(dst, x, t []float32, n int)

	// Loss records the denoising loss mean((ε_φ(x_t, t) − ε)²) of n
	// events on tp (nn.Trainable).
	Loss(tp *nn.Tape, xt, t, eps []float32, n int) *nn.Tensor

	// Params returns the parameters in a fixed order, named as in the
	// matching PyTorch module's state_dict. The slice is shared.
	Params() []*nn.Param

	// Share returns a model that shares this one's parameters (and their
	// gradients) but has its own inference scratch space.
	Share() Model
}

// EventSize returns the number of values of one event of m.
func EventSize(m Model) int {
	n := 1
	for _, d := range m.EventShape() {
		n *= d
	}
	return n
}
