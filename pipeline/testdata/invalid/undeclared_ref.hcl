tsrc "a" {}
tmap "b" {
  in = tsrc.missing # ERROR: Reference to undeclared stage
}
