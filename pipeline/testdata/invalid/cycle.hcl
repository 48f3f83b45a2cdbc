tsrc "root" {}
tmap "a" {
  in    = tmap.c # ERROR: Dependency cycle
  other = tsrc.root
}
tmap "b" {
  in = tmap.a
}
tmap "c" {
  in = tmap.b
}
