# The default sdapipe study: score-based data assimilation on Lorenz 63
# (docs/method.md §1.1, §4.3, §6). `go run ./cmd/sdapipe run full` runs it;
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
# width 256 and 5 blocks (691,215 parameters), trained by denoising score
# matching. 24,000 steps of 256 windows take about 2.5 minutes on 2 cores.
train "k2" {
  data         = simulate.lorenz
  window       = 5
  network      = "resmlp"
  batch        = 256
  steps        = 24000
  lr           = 2e-3
  weight_decay = 1e-3
  valid_every  = 2000

  resmlp {
    width = 256
    depth = 5
  }
}

# The same network on windows of 9 states (k = 4). The paper finds k >= 3
# with C >= 2 nearly as good as the particle filter; k = 2 is far from it.
train "k4" {
  data         = simulate.lorenz
  window       = 9
  network      = "resmlp"
  batch        = 256
  steps        = 24000
  lr           = 2e-3
  weight_decay = 1e-3
  valid_every  = 2000

  resmlp {
    width = 256
    depth = 5
  }
}

# Scenario "lo": the first variable every 8th of 65 states, noise 0.05.
# Scenario "hi": the first variable at every state, noise 0.25.
# Three test trajectories each, so metrics are medians over three sets.
observe "lo" {
  data      = simulate.lorenz
  length    = 65
  count     = 3
  variables = [0]
  every     = 8
  noise     = 0.05
}

observe "hi" {
  data      = simulate.lorenz
  length    = 65
  count     = 3
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

# Zero-shot posteriors: the same trained models serve both scenarios. 64
# samples per observation set, 256 steps, tau 0.25, gamma 1e-2, with C = 0,
# 1 and 2 Langevin corrections per step for k = 2 and C = 1, 2 for k = 4.
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

sample "lo_k4_c1" {
  model        = train.k4
  observations = observe.lo
  samples      = 64
  corrections  = 1
}

sample "lo_k4_c2" {
  model        = train.k4
  observations = observe.lo
  samples      = 64
  corrections  = 2
}

sample "hi_k4_c1" {
  model        = train.k4
  observations = observe.hi
  samples      = 64
  corrections  = 1
}

sample "hi_k4_c2" {
  model        = train.k4
  observations = observe.hi
  samples      = 64
  corrections  = 2
}

# Metrics of docs/method.md §6.2 against the filter, per observation set and as
# medians, with the paper's Fig. 2 as a figure.
evaluate "lo" {
  observations = observe.lo
  reference    = filter.lo
  posteriors   = [sample.lo_c0, sample.lo_c1, sample.lo_c2, sample.lo_k4_c1, sample.lo_k4_c2]
}

evaluate "hi" {
  observations = observe.hi
  reference    = filter.hi
  posteriors   = [sample.hi_c0, sample.hi_c1, sample.hi_c2, sample.hi_k4_c1, sample.hi_k4_c2]
}
