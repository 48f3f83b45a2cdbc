package diffusion

// A Denoiser predicts the noise of a diffused batch (docs/method.md §2.2):
//
//	ε(x(t), t) ≈ −σ(t)·∇ log p(x(t)),   score = −ε/σ(t).
//
// Eps writes ε for n events of x at time t into dst. x and dst hold n
// events of equal size, row-major; dst must not alias x. Every event shares
// the one time t.
type Denoiser interface {
	Eps(dst, x []float32, n int, t float32)
}

// A DifferentiableDenoiser also gives vector–Jacobian products through ε,
// which guidance needs to differentiate the likelihood through the
// denoiser (docs/method.md §4.1).
//
// EpsVJP writes ε(x, t) into eps, then calls cot(eps, w): cot reads eps and
// must write every element of the cotangent w (len(eps); its contents on
// entry are unspecified, and it is valid only during the call). EpsVJP then
// writes grad = wᵀ·∂ε/∂x, the cotangent pulled back to x (len(x)). eps,
// grad and x must not alias one another.
type DifferentiableDenoiser interface {
	Denoiser
	EpsVJP(eps, grad, x []float32, n int, t float32, cot func(eps, w []float32))
}
