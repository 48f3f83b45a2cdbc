// Package metrics provides the evaluation metrics of the Lorenz
// experiments (docs/method.md §6.2): the Wasserstein-1 distance between two
// sample sets by exact optimal transport, the expected log-prior and
// log-likelihood of posterior samples, and summary statistics (RMSE of
// the posterior mean, ensemble spread, median over observations). For
// data without a known transition density it adds scores that need none:
// the ensemble CRPS, the spread–error ratio and the standard deviation of
// the observation residuals A(x) − y.
//
// Conventions:
//   - Sample sets are row-major float64 arrays (n, …): n samples of a
//     fixed event size, e.g. trajectories (n, L, D) flattened to (n, L·D).
//   - Everything is in physical units, as the method notes' metrics are.
//   - Functions that write a result take it as the first argument, dst.
//     W1 and Assign allocate their scratch (an n×n cost matrix and O(n)
//     vectors); the posterior statistics allocate at most one event.
//   - Shape mismatches (a length that is not a multiple of the event
//     size) are programmer errors and panic with a "metrics:" message;
//     empty or unequal sample sets and non-finite values return errors
//     (see errors.go).
//   - Parallel work (the cost matrix) uses fixed row chunks, and every
//     entry is computed independently, so results do not depend on
//     GOMAXPROCS.
//
// The package imports dynamics for the transition density.
package metrics
