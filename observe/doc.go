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
//   - Neither allocates; operators hold no scratch and are safe for
//     concurrent use once built.
//   - Constructors validate indices against (L, D) and return errors whose
//     text names the offending index (see errors.go); kernels panic with an
//     "observe: " message only on length mismatches, which are programmer
//     errors.
//   - Describe returns a Description that a stage can store as JSON and that
//     Build turns back into the same operator.
//
// The package is pure science: it imports nothing from the rest of sdapipe
// and never touches files.
package observe
