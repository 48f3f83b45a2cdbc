simulate "lorenz" {
  trajectories = "many" # ERROR: Invalid value for trajectories
}
