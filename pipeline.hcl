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

# MMPS guidance (docs/method.md §4.1): the Tweedie covariance of x given
# x(t), through the network's VJP and one GMRES iteration, instead of the
# constant gamma; the same models, observations and sampler.
sample "lo_mmps_k2_c0" {
  model        = train.k2
  observations = observe.lo
  samples      = 64
  corrections  = 0
  guidance     = "mmps"
}

sample "lo_mmps_k2_c1" {
  model        = train.k2
  observations = observe.lo
  samples      = 64
  corrections  = 1
  guidance     = "mmps"
}

sample "lo_mmps_k2_c2" {
  model        = train.k2
  observations = observe.lo
  samples      = 64
  corrections  = 2
  guidance     = "mmps"
}

sample "lo_mmps_k4_c0" {
  model        = train.k4
  observations = observe.lo
  samples      = 64
  corrections  = 0
  guidance     = "mmps"
}

sample "lo_mmps_k4_c1" {
  model        = train.k4
  observations = observe.lo
  samples      = 64
  corrections  = 1
  guidance     = "mmps"
}

sample "lo_mmps_k4_c2" {
  model        = train.k4
  observations = observe.lo
  samples      = 64
  corrections  = 2
  guidance     = "mmps"
}

sample "hi_mmps_k2_c0" {
  model        = train.k2
  observations = observe.hi
  samples      = 64
  corrections  = 0
  guidance     = "mmps"
}

sample "hi_mmps_k2_c1" {
  model        = train.k2
  observations = observe.hi
  samples      = 64
  corrections  = 1
  guidance     = "mmps"
}

sample "hi_mmps_k2_c2" {
  model        = train.k2
  observations = observe.hi
  samples      = 64
  corrections  = 2
  guidance     = "mmps"
}

sample "hi_mmps_k4_c0" {
  model        = train.k4
  observations = observe.hi
  samples      = 64
  corrections  = 0
  guidance     = "mmps"
}

sample "hi_mmps_k4_c1" {
  model        = train.k4
  observations = observe.hi
  samples      = 64
  corrections  = 1
  guidance     = "mmps"
}

sample "hi_mmps_k4_c2" {
  model        = train.k4
  observations = observe.hi
  samples      = 64
  corrections  = 2
  guidance     = "mmps"
}

# Classical data assimilation of the same observation sets: the ensemble
# Kalman smoother (square root, inflation 1.02, rotation) and weak-constraint
# 4D-Var with a Laplace ensemble, 64 members each.
assimilate "lo_enks" {
  observations = observe.lo
}

assimilate "lo_var4d" {
  observations = observe.lo
  method       = "var4d"
}

assimilate "hi_enks" {
  observations = observe.hi
}

assimilate "hi_var4d" {
  observations = observe.hi
  method       = "var4d"
}

# Metrics of docs/method.md §6.2 against the filter, per observation set and as
# medians, with the paper's Fig. 2 as a figure.
evaluate "lo" {
  observations = observe.lo
  reference    = filter.lo
  posteriors = [
    sample.lo_c0, sample.lo_c1, sample.lo_c2, sample.lo_k4_c1, sample.lo_k4_c2,
    sample.lo_mmps_k2_c0, sample.lo_mmps_k2_c1, sample.lo_mmps_k2_c2,
    sample.lo_mmps_k4_c0, sample.lo_mmps_k4_c1, sample.lo_mmps_k4_c2,
    assimilate.lo_enks, assimilate.lo_var4d,
  ]
}

evaluate "hi" {
  observations = observe.hi
  reference    = filter.hi
  posteriors = [
    sample.hi_c0, sample.hi_c1, sample.hi_c2, sample.hi_k4_c1, sample.hi_k4_c2,
    sample.hi_mmps_k2_c0, sample.hi_mmps_k2_c1, sample.hi_mmps_k2_c2,
    sample.hi_mmps_k4_c0, sample.hi_mmps_k4_c1, sample.hi_mmps_k4_c2,
    assimilate.hi_enks, assimilate.hi_var4d,
  ]
}

# The paper's multi-modal demo (docs/method.md §4.3): c observed every 4th
# state of 49, noise 0.1, on one test trajectory. Weak-constraint 4D-Var
# started from 32 SDA samples (k = 4, C = 2, tau 0.5) finds the posterior's
# modes; near-duplicates are merged.
observe "modes" {
  data      = simulate.lorenz
  length    = 49
  count     = 1
  variables = [2]
  every     = 4
  noise     = 0.1
}

sample "modes" {
  model        = train.k4
  observations = observe.modes
  samples      = 32
  corrections  = 2
  tau          = 0.5
}

modes "demo" {
  observations = observe.modes
  starts       = sample.modes
}
