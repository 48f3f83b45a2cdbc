# Settings in layers: the executor block, then per kind, then per stage.
simulate "lorenz" {
  trajectories = 40
}
train "k2" {
  data   = simulate.lorenz
  window = 5
}
train "k4" {
  data   = simulate.lorenz
  window = 9
}
observe "lo" {
  data = simulate.lorenz
}
sample "a" {
  model        = train.k2
  observations = observe.lo
}
sample "b" {
  model        = train.k4
  observations = observe.lo
}

executor "slurm" {
  partition = "cpu"
  account   = "sda"
  memory    = "2G"
  flags     = ["--qos=normal"]
  array     = 4
  poll      = "2s"

  kind "train" {
    cpus  = 8
    time  = "1-00:00:00"
    gpus  = 1
    flags = ["--constraint=a100"]
  }
  kind "sample" {
    cpus = 2
  }
  stage "train.k4" {
    time      = "2-00:00:00"
    partition = "long"
  }
  stage "sample.b" {
    array = 1
  }
}
