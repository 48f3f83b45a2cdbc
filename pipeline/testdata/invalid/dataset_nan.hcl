dataset "l96" {
  trajectories = file("traj_nan.npy") # ERROR: Invalid value for trajectories
}
