simulate "lorenz" {}
observe "lo" {
  data   = simulate.lorenz
  length = 65
  every  = 8
  start  = 4
}
filter "lo" {
  observations = observe.lo # ERROR: Invalid value for observations
}
