// Package optim minimises smooth functions of many variables with the
// limited-memory BFGS method (L-BFGS; Nocedal & Wright, "Numerical
// Optimization", 2nd ed., Algorithm 7.5) and a line search that enforces
// the strong Wolfe conditions (ibid., Algorithms 3.5 and 3.6). The
// variational data assimilation of package assim (4D-Var, docs/method.md
// §4.3) is its user.
//
// Conventions:
//   - The objective is a Func that returns f(x) and writes ∇f(x) into its
//     first argument, dst-first like the rest of sdapipe.
//   - An LBFGS holds all scratch space for problems of one size; Minimize
//     works on x in place and does not allocate, so one LBFGS can serve
//     many minimisations in a loop. It belongs to one goroutine.
//   - Everything is float64 and sequential: the same inputs give the same
//     iterates bit for bit.
//   - A length mismatch panics with an "optim: " message; a non-finite
//     value at the starting point returns ErrNonFinite. Stopping for any
//     other reason (an iteration limit, a line search that cannot make
//     progress) is reported in Result.Status, not as an error.
//
// The package imports nothing from the rest of sdapipe.
package optim
