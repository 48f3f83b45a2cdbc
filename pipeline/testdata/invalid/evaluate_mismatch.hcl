simulate "lorenz" {}
train "k2" {
  data = simulate.lorenz
}
observe "lo" {
  data  = simulate.lorenz
  every = 8
}
observe "hi" {
  data = simulate.lorenz
}
filter "hi" {
  observations = observe.hi
}
sample "lo" {
  model        = train.k2
  observations = observe.lo
}
evaluate "lo" {
  observations = observe.lo
  reference    = filter.hi # ERROR: Invalid value for reference
  posteriors   = [sample.lo]
}
