// Package fft computes discrete Fourier transforms of power-of-two
// lengths in float64: complex transforms along the first axis of (N,
// batch) arrays (Plan), real sequences (RealPlan), and N×N real arrays
// (Plan2D), as the Kolmogorov-flow solver's pressure solve and the energy
// spectra of dynamics/kolmogorov need them.
//
// Conventions: forward transforms are unnormalised,
// X[k] = Σ_j x[j] e^{−2πijk/N}; inverse transforms divide by the length,
// so that Inverse undoes Forward. Plans hold their scratch space, never
// allocate after construction, and belong to one goroutine. Lengths that
// do not match the plan are programmer errors and panic with an "fft: "
// message.
//
// The algorithm is a Stockham autosort FFT with radix-4 passes and one
// radix-2 pass when log₂ N is odd, applied to whole rows of a row-major
// array so that every inner loop runs over contiguous values; the
// butterflies have AVX-512 versions that give the same bits as the
// portable Go (no fused multiply-adds). Plan2D transforms the rows as
// real sequences, then all columns at once.
//
// # Why not gonum
//
// gonum's dsp/fourier (a port of FFTPACK) was measured against this
// package on the same transforms, CPU time per call on one core of an AMD
// EPYC (Zen 5) while other jobs ran, medians of 15 (the portable Go column
// is this package with the AVX-512 butterflies switched off):
//
//	transform             this package   portable Go   gonum
//	1-D complex, N = 256      0.89 µs       1.53 µs     5.63 µs
//	2-D real 128², forward    65 µs         96 µs       366 µs
//	2-D real 256², forward    0.29 ms       0.41 ms     1.69 ms
//	2-D real 256², inverse    0.35 ms       0.43 ms     —
//
// gonum has no 2-D transform; its column passes gather strided columns
// (BenchmarkForward2D builds it). The Stockham passes are 3.7–4.2 times
// faster in plain Go, and the vector butterflies pay a further 1.2–1.7
// times: the Kolmogorov solver spends about half its step in two 256²
// transforms. A variant that also batched the row transforms (through a
// transpose, with the spectrum stored transposed) measured 10–20% faster
// per round trip, about 5% of a solver step, and was not kept.
package fft
