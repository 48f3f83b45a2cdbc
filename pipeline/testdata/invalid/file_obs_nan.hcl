simulate "lorenz" {}
observe "lo" {
  data         = simulate.lorenz
  every        = 8
  observations = file("obs_nan.npy") # ERROR: Invalid value for observations
}
