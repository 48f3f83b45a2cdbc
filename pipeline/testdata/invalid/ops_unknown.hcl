simulate "lorenz" {}
observe "b" {
  data = simulate.lorenz
  op "blur" { # ERROR: Unknown op "blur"
  }
}
