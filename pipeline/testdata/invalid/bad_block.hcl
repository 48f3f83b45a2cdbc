tsrc "a" {}
tmap "b" {
  in = tsrc.a
  opts {
    every = 0 # ERROR: Invalid value for every
    times = [1, 2.5] # ERROR: Invalid value for times
  }
  opts { # ERROR: Duplicate opts block
  }
}
