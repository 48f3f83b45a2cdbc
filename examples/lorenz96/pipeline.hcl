# Assimilate Lorenz 1996 trajectories made in numpy (make_trajectories.py):
# half the variables observed every 4th state, 4 test trajectories.
seed = 1

dataset "l96" {
  trajectories = file("l96.npy") # (trajectory, time, 40) float64, physical units
  standardize  = "train"         # (x - mean) / std per variable, fitted on the train split
}

train "k2" {
  data   = dataset.l96
  window = 5
  steps  = 10000

  resmlp {
    width = 256
    depth = 3
  }
}

observe "half" {
  data      = dataset.l96
  length    = 64
  count     = 4
  variables = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38]
  every     = 4
  noise     = 0.1 # σ_y in standardised units
}

sample "half" {
  model        = train.k2
  observations = observe.half
  samples      = 32
  steps        = 128
  corrections  = 1
}

evaluate "half" {
  observations = observe.half
  posteriors   = [sample.half]
}
