simulate "lorenz" {
  trajectories = abc # ERROR: Invalid value for trajectories
  system       = lorenz63 # ERROR: Invalid value for system
}
seed = 1
