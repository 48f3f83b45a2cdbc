simulate "lorenz" {}
train "k2" {
  data = simulate.lorenz
}
observe "lo" {
  data  = simulate.lorenz
  every = 8
}
filter "lo" {
  observations = observe.lo
}
sample "lo" {
  model        = train.k2
  observations = observe.lo
}
evaluate "lo" {
  observations = observe.lo
  reference    = filter.lo
  posteriors   = [sample.lo, sample.lo] # ERROR: Duplicate reference in posteriors
}
