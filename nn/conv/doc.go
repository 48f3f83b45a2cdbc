// Package conv provides the 3×3 convolutions with circular padding of the
// SDA Kolmogorov U-Net (docs/method.md §2.7) on NHWC float32 images: the
// forward pass, the gradient with respect to the input and the gradient
// with respect to the weights, at stride 1 and 2.
//
// Images are stored NHWC: image n, row i, column j, channel c at
// ((n·H + i)·W + j)·C + c. Weights are stored as PyTorch stores them,
// (Cout, Cin, 3, 3).
//
// Every pass is an implicit GEMM: a tile of output pixels × output
// channels is a sum over segments, one per tap (and input-channel run),
// each a product of rows of the (padded) input with a block of packed
// weights; see internal/asmgen for the micro-kernels.
package conv
