simulate "lorenz" {}
tmap "b" {
  in = simulate.lorenz # ERROR: Invalid reference in in
}
