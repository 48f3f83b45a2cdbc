seed = -1 # ERROR: Invalid value for seed
simulate "lorenz" {
  trajectories = 3 # ERROR: Invalid value for trajectories
  burn_in      = true # ERROR: Invalid value for burn_in
  colour       = "red" # ERROR: Unsupported argument
}
