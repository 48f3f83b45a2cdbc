simulate "lorenz" {}
observe "lo" {
  data   = simulate.lorenz
  length = 65
  times  = [0, 64, 65] # ERROR: Invalid value for times
}
