dataset "l96" {
  trajectories = file("traj_huge.npy") # ERROR: Invalid value for trajectories
  standardize  = "none"
}
