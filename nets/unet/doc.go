// Package unet is the Kolmogorov local score network of SDA
// (docs/method.md §2.7): a U-Net over windows of velocity fields with
// modulated residual blocks h + R(h + P(e)), R = channel LayerNorm → 3×3
// conv → SiLU → 3×3 conv, circular padding on every convolution, stride-2
// heads, nearest ×2 upsampling and additive skips, built from package nn's
// ops and nn/conv's convolutions. *Net implements nets.Model; Arch
// registers it as "unet".
//
// # Shapes and names
//
// A window is Channels = (2k+1)·2 state channels on H×W fields, stored
// channel-major like PyTorch's (Channels, H, W) (EventShape); the network
// appends the constant forcing channel sin(k_f·y_j), y_j = 2π(j+½)/W along
// the last axis (Config.ForcingWavenumber, 4; 0 for none) and returns
// Channels channels. Parameters carry the state_dict names of the PyTorch
// module UNet of the project's reference (torch_unet_bench.py, rewritten in
// testdata/make_fixtures.py): embed.net.0.weight, …, heads.i.*,
// down.i.j.{proj, r.1, r.3}.*, up.j.k.*, tails.j.1.*, final.*, in its
// order, so weights saved under these names load into it with
// strict=False (its buffer embed.f is not a parameter). At widths
// (96, 192, 384) there are 22,874,922 parameters, at (64, 128, 256)
// 10,244,746.
//
// # Two paths through the network
//
// Loss records the network on an nn.Tape, op by op (NHWC, Conv2D,
// ChannelNorm, AddPixels, SiLU, Upsample2x, Add), for nn.Trainer; Net is an
// nn.MicroBatcher, so a training tape holds 4 windows at a time (about 1.6
// GiB resident for a batch of 32 at widths (64, 128, 256)).
//
// Eps, EpsRows and EpsVJP take a path of their own (infer.go, window.go):
// each window goes through the whole network on one goroutine with serial
// kernels while other goroutines take other windows, so between layers a
// window's activations (1 MiB a layer at 64×64×64) stay in that core's
// caches and no synchronisation is needed; a window's arithmetic does not
// depend on the goroutine, so results do not depend on GOMAXPROCS. The
// block's additions are fused into the convolutions (h += conv2(silu(
// conv1(LN(h + P(e))))) + b2, accumulated by the kernel), each level's
// stream is its own skip (the tail adds into it), and no parameter
// gradient is formed. Filters are packed once per change of the weights
// (nn.Conv2D.Filter), in the Winograd form for the block convolutions.
//
// # Memory
//
// Eps keeps one stream per level per goroutine. EpsVJP keeps, per window,
// what the input gradient needs: per block the normalised input ŷ, 1/std
// and silu' of the first convolution's output (2C+1 values per pixel), per
// tail ŷ and 1/std: 23 MiB a window at widths (64, 128, 256), so 25
// windows (a 29-state trajectory) hold 575 MiB; the whole process peaked
// at 812 MiB resident (/usr/bin/time -v, BenchmarkEpsVJP). Each layer
// also keeps its packed filter (nn.Conv2D.Filter: forward and input
// gradient, mostly Winograd-transformed, about 3.6 times the weights) and
// a copy of the weights it was packed from, 190 MiB at widths (64, 128,
// 256), shared by every Share, tape and Trainer.
//
// # Speed
//
// The convolutions are about 90 % of the time (nn/conv's comment has their
// rates); see bench_test.go for the benchmarks compared with PyTorch.
//
// # Adding an architecture
//
// An architecture is one package under nets, like this one: a type
// implementing nets.Model built from nn's layers, ops and exported kernels,
// with parameters named as the matching PyTorch module's state_dict, and
// an *nets.Arch value that names it, declares its settings and builds it
// (New from settings for a window, Load from the configuration New
// returned). Registering it is one line in the catalog of architectures
// (stages.DefaultCatalog).
package unet
