simulate "lorenz" {
  length = = 4 # ERROR: Invalid expression
}
