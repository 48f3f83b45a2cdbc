seed = 1
simulat "lorenz" { # ERROR: Unsupported block type
  trajectories = 16
}
