simulate "lorenz" {}
observe "lo" {
  data      = simulate.lorenz
  variables = [1] # ERROR: Invalid value for variables
  op "every" {
    n = 8
  }
}
