simulate "lorenz" {
  system = "lorenz96" # ERROR: Invalid value for system
}
