// Package assim provides the classical data assimilation methods that
// sdapipe compares with score-based data assimilation (docs/method.md
// §4.3, §6): ensemble Kalman filters and smoothers, 3D-Var, strong- and
// weak-constraint 4D-Var, and a regularised particle filter for the
// DAPPER benchmark.
//
// The methods assimilate observations of a window of L states x_0 … x_{L−1}
// of a chain x_{i+1} ~ N(M(x_i), q·I) (docs/method.md §1.1):
//
//   - EnKF and EnKS: the stochastic ensemble Kalman filter with perturbed
//     observations (Burgers et al. 1998) or the ensemble transform Kalman
//     filter, a symmetric square root (Hunt et al. 2007), with
//     multiplicative inflation and an optional mean-preserving random
//     rotation; EnKS applies each analysis to the whole path so far
//     (Evensen & van Leeuwen 2000), giving samples of the smoothing
//     posterior p(x_{0:L−1} | y). Filter is the same analysis as a
//     step-by-step object for long cycling runs.
//   - Strong and Weak: 4D-Var cost functions, gradients by the adjoint of
//     the RK4 map, minimised by L-BFGS (package optim), with a Gaussian
//     background on x_0 (climatological, or the multi-modal demo's
//     ‖x_0 − x_b‖²); posterior ensembles by the Laplace approximation with
//     the Gauss–Newton Hessian.
//   - Var3D: the 3D-Var analysis with a static background covariance.
//   - PF: a bootstrap particle filter with regularisation (jitter) and
//     resampling on a low effective sample size, for cycling without
//     model noise.
//   - FindModes and DistinctModes: the multi-modal demo's mode search,
//     weak-constraint 4D-Var from given trajectories with near-duplicate
//     optima merged.
//
// SmoothWindow and Var4DWindow turn one observation set into a posterior
// ensemble (N, L, D) each, the entry points of an assimilation stage;
// RunSets runs them over many sets in parallel.
//
// Observations (see Observations) are time-local: at each observed state
// a StateOperator h maps one state to P values with independent Gaussian
// errors of variances R. Standardized wraps an observe.Operator of one
// state so that h works on physical states while y stays in the
// standardised units of docs/method.md §4.3.
//
// Conventions:
//   - States are in the system's physical units, float64. Ensembles are
//     row-major (N, D) arrays; window ensembles and posterior samples are
//     (N, L, D), the layout package metrics expects.
//   - Functions that write a result take it as the first argument, dst.
//     Per-window functions allocate their scratch once per call; the
//     step-by-step Filter and PF allocate at construction only.
//   - Randomness comes from an explicit *rand.Rand drawn in a documented
//     order, so a window's result depends on its inputs and stream only.
//     Windows are independent: RunSets runs many in parallel in fixed
//     chunks with one stream per set, bit-identical at any GOMAXPROCS.
//   - Length mismatches are programmer errors and panic with an "assim: "
//     message; invalid configurations, malformed observations, singular
//     covariances and diverging ensembles return errors (errors.go).
//
// The package builds on dynamics (the map M, its tangent and adjoint),
// observe (observation operators) and optim (L-BFGS); it never touches
// files.
package assim
