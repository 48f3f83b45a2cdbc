# The default sdapipe study: score-based data assimilation on Lorenz 63.
# Run it with `go run ./cmd/sdapipe run full`; see README.md.

seed      = 1
workspace = ".sdapipe"

# 1024 trajectories from the Gaussian prior, 1024 burn-in transitions,
# then 1024 recorded states each (spec §1.1), split 80/10/10.
simulate "lorenz" {
  system       = "lorenz63"
  trajectories = 1024
  burn_in      = 1024
  length       = 1024
}
