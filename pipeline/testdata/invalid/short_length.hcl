simulate "lorenz" {}
train "k2" {
  data   = simulate.lorenz
  window = 5
}
observe "lo" {
  data   = simulate.lorenz
  length = 3
}
sample "lo" {
  model        = train.k2
  observations = observe.lo # ERROR: Invalid value for observations
}
