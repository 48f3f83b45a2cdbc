dataset "l96" {
  trajectories = file("traj_ok.npy")
}
observe "lo" {
  data   = dataset.l96
  length = 9
  count  = 1
  every  = 4
}
filter "lo" {
  observations = observe.lo # ERROR: Invalid value for observations
}
