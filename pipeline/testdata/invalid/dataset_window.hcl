dataset "l96" {
  trajectories = file("traj_short.npy")
}
train "k2" {
  data   = dataset.l96
  window = 5 # ERROR: Invalid value for window
}
