simulate "lorenz" {
  trajectories = 5 # ERROR: Invalid value for trajectories
  length       = 0 # ERROR: Invalid value for length
}
