simulate "lorenz" {
  length = 2.5 # ERROR: Invalid value for length
}
