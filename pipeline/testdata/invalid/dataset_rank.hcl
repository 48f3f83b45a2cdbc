dataset "l96" {
  trajectories = file("traj_rank.npy") # ERROR: Invalid value for trajectories
}
