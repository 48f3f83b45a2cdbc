// Package diffusion implements the diffusion side of score-based data
// assimilation (SDA, Rozet & Louppe 2023; docs/method.md §2, §4, §5):
// the VP cosine noise schedule, training-window helpers, the composite
// score that assembles a trajectory score from a local window network
// (Algorithm 2), Gaussian and DPS likelihood guidance (eq. 15; docs/method.md §4.1–4.2) and the
// predictor–corrector sampler (eqs. 16–17, Algorithm 4).
//
// Networks are reached through the Denoiser and DifferentiableDenoiser
// interfaces only; package nn implements them, tests implement exact
// Gaussian ones. Observation operators come from package observe.
//
// Conventions:
//   - A batch is n events stored contiguously, row-major. An event is a
//     trajectory (L, D) — L states of D variables, state-major — or, for a
//     local network, a window of 2k+1 states flattened to F = (2k+1)·D
//     features. Everything that touches networks or samples is float32;
//     the schedule works in float64 and coefficients are rounded to float32
//     once per step.
//   - Functions and methods that write a result take it first (dst, eps,
//     grad) and never allocate in steady state: types that need scratch
//     (Composite, GaussianGuidance, DPSGuidance, PC) grow it on first use
//     and reuse it, and are therefore not safe for concurrent use. dst never
//     aliases an input unless stated.
//   - Randomness comes from an explicit *rand.Rand (math/rand/v2) and is
//     drawn in a documented, fixed order, so equal seeds give bit-identical
//     results. Nothing here starts goroutines; parallelism lives inside the
//     networks.
//   - Shape mismatches are programmer errors and panic with a "diffusion: "
//     message; bad configuration and numerical failure return errors (see
//     errors.go).
//
// The package is pure science: it imports neither files nor HCL nor the
// pipeline.
package diffusion
