// Package nn is sdapipe's network engine: float32 tensors, an explicit
// reverse-mode tape with fused ops, the kernels behind them (also exported
// for the models' own inference paths, kernels_export.go), AdamW and a
// data-parallel Trainer. It holds no SDA model: the networks themselves
// live in the packages under nets (nets/resmlp, ...), built from these
// pieces.
//
// # Layout and conventions
//
// Tensors are contiguous row-major float32 arrays with a Shape. The MLP ops
// treat a tensor as (rows, cols): rows = Shape[0], cols = the product of the
// remaining dimensions, one example per row. The image ops (Conv2D,
// ChannelNorm, AddPixels, Upsample2x) take channel-last images, Shape (N,
// H, W, C) (NHWC: package nn/conv says why); NHWC converts PyTorch's
// channel-major (N, C, H, W) to it. The tape does not care what an op does
// with its shape (see "Adding an op" below).
//
// Weights are stored as PyTorch stores them: a Linear layer's weight is
// (out, in) and its bias (out), so Y = X·Wᵀ + b. Parameters carry stable
// dotted names ("blocks.0.l1.weight") so that an exported set loads into the
// matching torch module by name.
//
// Kernels that write a result take it as the first argument, dst, and do not
// allocate. dst must not overlap the inputs unless stated. Shape mismatches
// are programmer errors and panic with an "nn: " message; problems with data
// (an unknown parameter name, a non-finite loss) are returned as errors, see
// errors.go.
//
// # Tape
//
// A Tape records ops in order and replays them backwards:
//
//	tp := nn.NewTape()
//	x := tp.Const(xt, rows, f)          // (rows, F), no gradient
//	y := net.Forward(tp, x, tp.Const(t, rows))
//	loss := tp.MSE(y, tp.Const(eps, rows, f))
//	tp.Backward(loss)                   // accumulates into Param.Grad
//	opt.Step()
//	tp.Reset()                          // keeps every buffer for the next step
//
// There is no global no-grad mode: what is recorded on a tape gets gradients,
// inputs made with Var get input gradients, Const inputs do not, and code
// that needs no gradients (a model's Eps) does not use a tape. A Tape owns an arena
// of nodes whose buffers survive Reset, so a training loop that records the
// same graph every step allocates nothing after the first step. Backward may
// share one gradient buffer between an op's output and the input it passes
// through unchanged (the residual stream), so Grad is meaningful for Var
// leaves and parameters only, and only until the next Reset.
//
// # Parallelism and determinism
//
// Element- and row-wise passes run on a small pool of persistent workers,
// over chunks whose boundaries depend only on the shapes, never on
// GOMAXPROCS. Reductions over rows (bias gradients, the loss) add per-chunk
// partial sums in chunk order. Matrix products go to sdapipe/nn/gemm, whose
// results are likewise independent of the number of goroutines.
//
// Where a product is too small to split well, the work is split above it
// instead: the residual MLP's Eps and EpsVJP give each goroutine whole tiles of 256
// rows with single-threaded products, and Trainer.Step runs two fixed
// halves of the batch on their own tapes and adds their gradients in order.
// Tile and shard boundaries depend on the row count only, so training and
// inference give bit-identical results at any GOMAXPROCS on a given CPU.
// On amd64 the SiLU, layer-norm, element-wise and AdamW kernels are
// assembly, AVX-512 or else AVX2 with FMA; elsewhere portable Go computes
// the same formulas (to within float32 rounding; the AdamW and element-wise
// ones exactly). Convolutions are package nn/conv's, whose results do not
// depend on how the images are split between goroutines either; a
// parallel tape sums weight gradients over fixed chunks of images.
//
// # Neighbours
//
// nn imports nothing from the project but nn/gemm and nn/conv. Model
// packages (nets/...)
// build networks from its layers, ops and exported kernels; package
// training builds batches, forms x_t = μ(t)x + σ(t)ε and calls Trainer.Step
// on any Trainable.
//
// # Adding an op
//
// An op is a Tape method in its own op_NAME.go: it takes a node from the
// arena (Tape.op), writes its output and saves in the node's aux buffer
// what its backward pass needs; it gets a new opKind and a backward method
// that Tape.backward dispatches to. Its test, op_NAME_test.go, checks the
// float32 op against a float64 mirror (package nntest) and the mirror's
// VJP against central differences (gradcheck_test.go).
package nn
