// Package resmlp is the residual-MLP local score network of SDA's Lorenz
// experiments (docs/method.md §2.3–2.5): a window of 2k+1 states, flattened
// state-major into F values, joined to a sinusoidal time embedding, through
// Depth residual blocks of width W and an output block at width F:
//
//	e = L(256→E)(silu(L(2·16→256)(feats(t))))
//	h = Input([x, e]);  h = Block_W(h) ×Depth;  h = Output(h);  ε = Block_F(h)
//	Block_d(h) = h + L2(silu(L1(LN(h)))),  LN non-affine, unbiased variance
//
// Net implements nets.Model; Arch registers it under the name "resmlp".
// Parameters are named as in the PyTorch module of the README
// (embed.l1.weight, input.weight, blocks.0.l1.weight, …, out_block.l2.bias).
//
// Besides Forward and Loss on an nn.Tape (training), Net has inference
// paths of its own, built from nn's exported kernels: Eps and EpsRows push
// rows through the network a tile at a time, and EpsVJP adds the input
// gradient that likelihood guidance needs without forming parameter
// gradients. Tile boundaries depend on the row count only, so results are
// bit-identical at any GOMAXPROCS.
package resmlp
