simulate "lorenz" {
  trajectories = 40
}
train "k2" {
  data   = simulate.lorenz
  window = 5
}
observe "lo" {
  data = simulate.lorenz
}
sample "a" {
  model        = train.k2
  observations = observe.lo
}

executor "slurm" {
  partition = "has space"        # ERROR: Invalid partition
  cpus      = 0                  # ERROR: Invalid value for cpus
  memory    = "lots"             # ERROR: Invalid memory
  time      = "2 hours"          # ERROR: Invalid time
  gpus      = 1.5                # ERROR: Invalid value for gpus
  flags     = ["--array=0-3"]    # ERROR: Flag the executor sets
  poll      = "1ms"              # ERROR: Invalid poll interval
  nodes     = 2                  # ERROR: Unsupported argument

  kind "train" {
    array = 4                    # ERROR: Kind does not split
    flags = "--qos=long"         # ERROR: Invalid flags
  }
  kind "tran" {                  # ERROR: Unknown stage kind
    cpus = 2
  }
  stage "sample.b" {             # ERROR: Unknown stage
    cpus = 2
  }
  stage "observe.lo" {
    account = 3                  # ERROR: Invalid value for account
    mem     = "1G"               # ERROR: Unsupported argument
  }
  stage "observe.lo" {           # ERROR: Duplicate stage block
  }
}
