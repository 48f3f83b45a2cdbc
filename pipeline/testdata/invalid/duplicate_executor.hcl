tsrc "root" {
  n = 4
}

executor "slurm" {
  cpus = 2
}

executor "slurm" {                  # ERROR: Duplicate executor block
  cpus = 4
}
