// Package conv provides the 3×3 convolutions with circular padding of the
// SDA Kolmogorov U-Net (docs/method.md §2.7) on float32 images: the forward
// pass, the gradient with respect to the input and the gradient with
// respect to the weights, at stride 1 and 2. Package nn wraps them as tape
// ops (nn.Conv2D); the U-Net's inference path (nets/unet) calls them
// directly.
//
// # Layout
//
// Images are NHWC: image n, row i, column j, channel c at ((n·H + i)·W +
// j)·C + c. Weights are PyTorch's (Cout, Cin, 3, 3); a Filter packs them
// into the form a pass reads. Functions that write a result take it first,
// do not allocate once a Scratch has grown, and panic with a "conv: "
// message on inconsistent shapes.
//
// NHWC was chosen over NCHW because everything around the convolutions is
// per pixel across channels — the channel layer norm, the block's
// modulation h + P(e), the bias — and in NHWC those are passes over
// contiguous rows with the kernels the MLP already has, while a tap of the
// convolution reads a contiguous run of Cin values per pixel. The
// convolution itself costs the same either way where the rows are long:
// an NCHW version on the same micro-kernels (tiles of 12 output channels ×
// 32 pixels of a row, the input read in place) runs as fast at 64×64 and
// 32×32, but at 16×16 it fills half a 32-pixel tile and runs at half speed
// (table below).
//
// # Algorithm
//
// Every pass is an implicit GEMM on register-blocked micro-kernels: a tile
// of up to 12 output pixels of one row × 32 output channels is a sum of
// segments, one per tap (dy, dx), each the product of a run of pixels of
// the row-padded input (one wrapped pixel at each end of every row; rows
// wrap by index) with a block of packed weights; the accumulators stay in
// registers over all nine taps. The input gradient is the same with the
// transposed, flipped filter; at stride 2 the input pixels fall into four
// parity classes reached by one, two, two and four taps, so no product
// with an inserted zero is formed. The weight gradient uses the pixels as
// the summed dimension: a tile of 12 input channels × 32 output channels
// per tap, summed over blocks of about 256 output pixels.
//
// Stride-1 passes with at least 16 channels in and out use Winograd's
// F(2×2, 3×3) instead (wino.go, wino_weights.go): 16 products per 2×2
// tile and channel pair where the direct method takes 36, as 16 matrix
// products on the same micro-kernels between an input and an output
// transform; for the weight gradient the products sum over tiles. Its
// float32 error stays within the direct method's bound in the tests (the
// transforms only add, subtract and halve).
//
// Measured with BenchmarkAlgorithms (forward pass of the U-Net's block
// convolutions, four images, one goroutine) on a 2-core AMD EPYC (Zen 5)
// shared with other processes, in direct-equivalent GFLOP (2·9·Cin·Cout
// per output pixel) per second of the benchmark thread's CPU time; one
// core's measured zmm FMA peak (gemm.PeakGFLOPS) is 230-245 GFLOP/s:
//
//	shape (H×W×C → C)   Winograd  implicit GEMM  im2col + SGEMM  NCHW direct
//	64×64×64             345         179            129             178
//	32×32×128            367         187            156             188
//	16×16×256            385         214            182             104
//
// The implicit GEMM reaches 75-90 % of the FMA peak and beats building the
// 9·Cin-wide im2col matrix for gemm.Sgemm, which writes and rereads nine
// copies of the input; Winograd does the same convolution in 0.5-0.55 of
// the time.
//
// # Kernels
//
// The micro-kernels and the Winograd transforms are generated with avo by
// internal/asmgen (go generate ./nn/conv): AVX-512 12×32 tiles (24 zmm
// accumulators, two vectors of packed weights and one broadcast per k
// step) and 16×16 tiles for a last panel of at most 16 columns; AVX2 with
// FMA 6×16 tiles; and a pure-Go kernel and transforms for other CPUs (or
// the purego build tag). Config.Path forces a path, Config.Direct turns
// Winograd off; the tests run every path against a float64 reference.
//
// # Determinism
//
// Each output value is computed by a fixed sequence of float32 operations
// that depends on the shapes only — not on the number of images in a call,
// on which goroutine runs an image, or on GOMAXPROCS. BackwardWeights sums
// over the images of one call in order; callers that split a batch sum the
// partial gradients in a fixed order (package nn does).
package conv
