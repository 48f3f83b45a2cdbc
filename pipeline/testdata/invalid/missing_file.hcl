simulate "lorenz" {}
observe "lo" {
  data         = simulate.lorenz
  observations = file("nope.npy") # ERROR: Cannot read file for observations
}
