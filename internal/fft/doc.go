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
// portable Go.
package fft
