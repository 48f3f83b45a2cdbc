dataset "l96" {
  trajectories = file("traj_ok.npy")
}
observe "lo" {
  data   = dataset.l96
  length = 65 # ERROR: Invalid value for length
  count  = 2  # ERROR: Invalid value for count
}
