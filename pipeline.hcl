# The default sdapipe study: score-based data assimilation on Lorenz 63
# (method spec §1.1, §4.3, §6). `go run ./cmd/sdapipe run full` runs it;
# README.md explains each stage and where its outputs are.

seed      = 1
workspace = ".sdapipe"

# 1024 trajectories from the Gaussian prior, 1024 burn-in transitions, then
# 1024 recorded states each, standardised and split 80/10/10.
simulate "lorenz" {
  system       = "lorenz63"
  trajectories = 1024
  burn_in      = 1024
  length       = 1024
}

# The local score network on windows of 5 states (k = 2): a residual MLP of
# width 256 and 5 blocks, trained by denoising score matching.
train "k2" {
  data         = simulate.lorenz
  window       = 5
  width        = 256
  depth        = 5
  batch        = 256
  steps        = 10000
  lr           = 1e-3
  weight_decay = 1e-3
}

# Scenario "lo": the first variable every 8th of 65 states, noise 0.05.
# Scenario "hi": the first variable at every state, noise 0.25.
observe "lo" {
  data      = simulate.lorenz
  length    = 65
  count     = 4
  variables = [0]
  every     = 8
  noise     = 0.05
}

observe "hi" {
  data      = simulate.lorenz
  length    = 65
  count     = 4
  variables = [0]
  every     = 1
  noise     = 0.25
}

# Ground truth: the bootstrap particle filter with 2^14 particles, twice.
filter "lo" {
  observations = observe.lo
}

filter "hi" {
  observations = observe.hi
}

# Zero-shot posteriors from the one trained model, with C = 0, 1 and 2
# Langevin corrections per step (256 steps, tau 0.25, gamma 1e-2).
sample "lo_c0" {
  model        = train.k2
  observations = observe.lo
  samples      = 64
  corrections  = 0
}

sample "lo_c1" {
  model        = train.k2
  observations = observe.lo
  samples      = 64
  corrections  = 1
}

sample "lo_c2" {
  model        = train.k2
  observations = observe.lo
  samples      = 64
  corrections  = 2
}

sample "hi_c0" {
  model        = train.k2
  observations = observe.hi
  samples      = 64
  corrections  = 0
}

sample "hi_c1" {
  model        = train.k2
  observations = observe.hi
  samples      = 64
  corrections  = 1
}

sample "hi_c2" {
  model        = train.k2
  observations = observe.hi
  samples      = 64
  corrections  = 2
}

# Metrics of spec §6.2 against the filter, per observation set and as
# medians, with the paper's Fig. 2 as a figure.
evaluate "lo" {
  observations = observe.lo
  reference    = filter.lo
  posteriors   = [sample.lo_c0, sample.lo_c1, sample.lo_c2]
}

evaluate "hi" {
  observations = observe.hi
  reference    = filter.hi
  posteriors   = [sample.hi_c0, sample.hi_c1, sample.hi_c2]
}
