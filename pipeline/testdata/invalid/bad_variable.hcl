simulate "lorenz" {}
observe "lo" {
  data      = simulate.lorenz
  variables = [0, 3] # ERROR: Invalid value for variables
  every     = 8
}
