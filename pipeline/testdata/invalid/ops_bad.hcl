simulate "lorenz" {}
observe "a" {
  data = simulate.lorenz
  op "every" {
    n      = 4
    offset = 70 # ERROR: Invalid value for op[0].offset
  }
}
observe "c" {
  data = simulate.lorenz
  op "every" {
    n = 4
  }
  op "vorticity" { # ERROR: Invalid value for op[1]
  }
}
