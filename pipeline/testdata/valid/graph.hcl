# A diamond: root feeds a and b, which both feed join.
seed = 7
tsrc "root" {
  n     = 8
  value = 0.5
}
tmap "a" {
  in    = tsrc.root
  scale = 3
}
tmap "b" {
  in = tsrc.root
  opts {
    every = 2
    times = [0, 4]
  }
}
tmap "join" {
  in    = tmap.a
  other = tmap.b
}
