simulate "a" {
  system = "kolmogorov"
  kolmogorov {
    resolution = 48 # ERROR: Invalid value for kolmogorov.resolution
  }
}
simulate "b" {
  system = "kolmogorov"
  kolmogorov {
    reynolds = -5 # ERROR: Invalid value for kolmogorov.reynolds
  }
}
simulate "c" {
  system = "kolmogorov"
  kolmogorov {
    courant = 1.5 # ERROR: Invalid value for kolmogorov.courant
  }
}
