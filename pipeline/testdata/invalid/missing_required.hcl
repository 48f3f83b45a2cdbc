tmap "b" { # ERROR: Missing required argument
  scale = 3
}
