// Package observe provides the observation operators y = A(x) of score-based
// data assimilation (SDA, Rozet & Louppe 2023, §4; docs/method.md §4.3).
//
// An Operator maps one event x, a trajectory of L states of D variables stored
// row-major as (L, D), to M observed values y. Every operator has the same
// methods in two precisions: the float32 ones serve guided sampling in package
// diffusion, where networks and samplers run in float32; the float64 ones serve
// the particle filter and the metrics, which run in float64. Both share one
// generic implementation, so they compute the same function.
//
// Conventions:
//   - Apply writes A(x) into dst (length M); dst must not overlap x.
//   - VJP adds J_A(x)ᵀ·g into gx (length L·D): it accumulates, so callers
//     clear gx first when they want the bare product.
//   - JVP (operators that are Linearizable, every one of this package's)
//     writes J_A(x)·dx into dy (length M), for guidance that linearises A.
//   - None of these allocates once the operator is warm, and operators are safe
//     for concurrent use once built. Select, Saturate and Norm hold no
//     scratch; a Chain keeps one set of intermediate arrays per call in
//     flight and reuses them.
//   - Constructors validate indices and shapes and return errors wrapping
//     ErrInvalid whose text names the offending index, op or setting and
//     says what would fit (see errors.go); kernels panic with an
//     "observe: " message only on length mismatches, which are programmer
//     errors.
//   - Describe returns a Description that a stage can store as JSON and that
//     Build turns back into the same operator.
//
// # Lorenz operators
//
// Select observes chosen variables at chosen times, Saturate passes them
// through w/(1+|w|), Norm observes ‖x_t‖₂; states are vectors (L, D).
//
// # Chains of steps, for fields
//
// Kolmogorov states are velocity fields (2, H, W): channels u, v; axis −2 is
// x and axis −1 is y (docs/method.md §1.2). A Chain composes Steps, applied
// in the order written, each to the array the previous one produced,
// starting from the event (L, state...). Step kinds (the table Steps):
//
//	every {n, offset = 0}    (T, …) → (⌈(T−offset)/n⌉, …): states offset, offset+n, …
//	states {indices}         (T, …) → (len(indices), …): the listed states, in order; −1 is the last
//	loop                     (T, …) → (…): x_1 − x_T, the time axis disappears
//	coarsen {factor}         (…, H, W) → (…, H/f, W/f): means of f × f blocks; f divides H and W
//	subsample {stride, offset = 0}
//	                         (…, H, W) → x[…, offset::stride, offset::stride]
//	crop {rows = [lo, hi], cols = [lo, hi]}
//	                         (…, H, W) → x[…, r_lo:r_hi, c_lo:c_hi], half-open
//	vorticity                (…, 2, H, W) → (…, H, W): w = ∂u/∂y − ∂v/∂x
//	saturate                 any shape: w/(1+|w|) elementwise
//	mask {inner = 0.4, outer = 0.6}
//	                         (…, H, W), same shape: times the 0/1 annulus inner < X² + Y² < outer
//
// Vorticity is "vorticity as coded" (docs/method.md §1.2): central
// differences of unit spacing with periodic wrap-around, (f[i+1] − f[i−1])/2,
// in grid-index units; it is minus the usual curl, scaled by the spacing.
// The mask's X = linspace(−1, 1, H) runs along axis −2 and Y =
// linspace(−1, 1, W) along axis −1, endpoints included, as the notebook's
// cartesian_prod(x, x).reshape(H, W) lays it out (see Annulus). The time
// steps need the time axis, so none may follow loop; the field steps act on
// the last two axes and need two axes (vorticity three) after the time
// axis. Every step but saturate is linear.
//
// docs/method.md §4.3's Kolmogorov scenarios as chains on (L, 2, 64, 64):
//
//	1  L = 29: every n=4 | coarsen factor=8                          → (8, 2, 8, 8)
//	2  L = 8:  coarsen factor=4 | states [0, 3, 6] | crop [4, 12] × [4, 12] → (3, 2, 8, 8)
//	3  L = 8:  every n=3 | coarsen factor=4 | vorticity | saturate | crop [2, 14] × [2, 14] → (3, 12, 12)
//	4  L = 8:  subsample stride=r (r = 2, 4, 8, 16; or offset=7 stride=16) → (8, 2, 64/r, 64/r)
//	5  L = 8:  states [-1] | vorticity | mask                        → (1, 64, 64)
//	6  L = 127: loop                                                  → (2, 64, 64)
//
// # Exposing steps in a pipeline file
//
// Each StepKind declares its settings as settings.Specs (a nil Default
// marks a required one), so a stage can offer every kind as a block
//
//	op "every"   { n = 4 }
//	op "coarsen" { factor = 8 }
//
// decode each block's settings, and pass them, in the order written, as
// StepDescs to NewChain with the event's length and state shape. NewChain
// fills in defaults, converts numbers to the settings' types (accepting the
// float64 and []any forms of a JSON round trip) and checks each op against
// the shape that reaches it; a failure is a *StepError carrying the op's
// position and the setting at fault, for the stage to point at the block.
// The chain's Description lists its ops with complete settings, so equal
// chains hash alike however they were written.
//
// The package is pure science: it imports nothing from the rest of sdapipe
// but package settings, and never touches files.
package observe
