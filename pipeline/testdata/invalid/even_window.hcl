simulate "lorenz" {}
train "k2" {
  data   = simulate.lorenz
  window = 4 # ERROR: Invalid value for window
}
