simulate "lorenz" {
  trajectorys = 16 # ERROR: Unsupported argument
}
