simulate "lorenz" {}
observe "lo" {
  data         = simulate.lorenz
  every        = 8
  observations = file("obs_int32.npy") # ERROR: Invalid value for observations
}
