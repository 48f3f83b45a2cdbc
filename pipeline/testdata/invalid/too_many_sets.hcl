simulate "lorenz" {
  trajectories = 100
}
observe "lo" {
  data  = simulate.lorenz
  first = 5
  count = 8 # ERROR: Invalid value for count
}
