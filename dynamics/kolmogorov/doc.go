// Package kolmogorov simulates the 2-D Kolmogorov flow of SDA's second
// experiment (docs/method.md §1.2): incompressible Navier–Stokes on the
// periodic square [0, 2π]², density 1, viscosity ν = 1/Re, body force
// (A sin(k y), 0) − α·u, by default Re = 1000, k = 4, A = 1, α = 0.1.
//
// # Layout and units
//
// A velocity field is a (2, N, N) float64 array, channel-major: channel 0
// is u (along x), channel 1 is v (along y); within a channel axis −2 is x
// and axis −1 is y, so u[i, j] is element i·N + j. Lengths are in units
// of the domain [0, 2π] (grid spacing h = 2π/N), velocities in length per
// time unit. The solver's values sit on a staggered grid (u[i, j] at
// ((i+1)h, (j+½)h), v[i, j] at ((i+½)h, (j+1)h)); stored states treat them
// as co-located, as the reference does. Stored trajectories are float32
// (Snapshots, 2, R, R), R = Resolution, block means of the simulation
// (Coarsen), in physical units, without standardisation; Generate stacks
// them as (trajectories, Snapshots, 2, R, R). The exported field helpers
// (Coarsen, Upsample, Vorticity, Spectra) work on float64 (n, …) stacks.
//
// Functions that write a result take it as the first argument, dst, and
// dst must not overlap the inputs. A Solver and a Spectra hold scratch
// space, never allocate after construction, and belong to one goroutine.
// Shape mismatches panic with a "kolmogorov: " message; invalid
// parameters are errors wrapping ErrParams that name the Config field,
// and a simulation that stops being finite returns a *NonFiniteError.
// Randomness is an explicit *rand.Rand; Generate derives one stream per
// trajectory with dynamics.StreamSeeds, as the Lorenz data does, and its
// output does not depend on GOMAXPROCS.
//
// # Scheme
//
// The Solver is jax-cfd's semi_implicit_navier_stokes as the reference
// runs it: a staggered (MAC) grid, forward Euler, advective fluxes from
// Lax–Wendroff face values with the van Leer limiter, the 5-point
// Laplacian for diffusion, then a projection onto discretely
// divergence-free fields (backward-difference divergence, forward-
// difference gradient, Poisson solve exact in Fourier space). The step is
// Interval/⌈Interval·MaxVelocity/(Courant·h)⌉: 0.2/82 at 256².
//
// The scheme was chosen by measurement against a pseudo-spectral
// vorticity solver with the same physics (RK4 with an exact integrating
// factor for viscosity and drag, 2/3 dealiasing, Courant 1), both started
// from the same initial fields, 4 trajectories of 64 burn-in and 64
// stored snapshots, statistics of the 64² data (scratch comparison, not
// kept):
//
//	scheme, grid   s/traj   energy  enstrophy  E(16)    E(24)    E(32)
//	finite vol 256   29     0.922    9.00      1.80e-4  1.60e-5  2.55e-6
//	spectral   256   83     0.959    9.53      2.21e-4  2.32e-5  4.42e-6
//	spectral   128    7.3   0.984    9.73      2.48e-4  2.88e-5  6.44e-6
//
// (seconds per trajectory on one busy core before the AVX-512 kernels
// below; energy ½⟨|u|²⟩ and enstrophy ½⟨ω²⟩ as Spectra computes them.)
// The spectral solver costs 2.8 times as much at the same grid, and its
// data are not the reference's: without the limiter's numerical
// dissipation, which at 256² and Re = 1000 is 1.1 times the viscous
// dissipation in the statistically steady state (2.5 times at 128²; the
// energy-budget test measures it), it puts 23–73% more energy into
// wavenumbers 16–32 of the 64² states, and at 128² 37–150%.
// The finite-volume scheme reproduces the reference's numerics, so its
// data have the reference's statistics by construction.
//
// # Stability
//
// Validate rejects Courant > 1 (the limiter is total-variation diminishing
// only up to 1), an initial field whose Courant number
// InitialMaxSpeed·dt/h exceeds 1, explicit diffusion beyond
// 4ν·dt/h² ≤ 1, and α·dt ≥ 1. The default step, Courant 0.5 at speed 5
// (dt = h/10), keeps |u|·dt/h + |v|·dt/h ≤ 1, the bound for the unsplit
// 2-D update, for speeds up to 7 in any direction; the largest speed in
// two 25.6-unit trajectories was 4.8. A flow that outruns the step
// diverges and is reported, not clipped.
//
// # Cost
//
// One step at 256² takes 1.0 ms of CPU on one core of the development
// machine (AMD EPYC, Zen 5; 1.8 ms with the portable Go kernels): two 256²
// real FFTs for the pressure (internal/fft), and AVX-512 kernels for the
// van Leer fluxes and the predictor update that give the portable Go's
// bits. A reference trajectory (128 intervals of 82 steps) takes about
// 11 s of CPU at 256² and 1.3–1.7 s at 128² (41 steps per interval);
// BenchmarkTrajectory measures the wall time on one core and two.
//
// # Grid resolution
//
// Simulating at 128² (coarsened by 2) instead of 256² (by 4) is 8 times
// cheaper and keeps the 64² data's energy and enstrophy within the
// sampling error (8 trajectories: energy 0.947 ± 0.018 against
// 0.946 ± 0.018, enstrophy 9.37 ± 0.25 against 9.26 ± 0.17) and the energy
// of wavenumbers up to 10, 99.6% of the total, within 4%; wavenumbers
// 11–15, 16–23 and 24–32 lose 18%, 28% and 35% of their energy to the
// larger numerical dissipation. At 64² the energy falls by 14% and the
// enstrophy by 12%.
package kolmogorov
