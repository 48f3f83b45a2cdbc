tsrc "a" {}
tmap "b" {
  in = "tsrc.a" # ERROR: Invalid reference in in
}
