dataset "l96" {
  trajectories = file("traj_ok.npy")
  split        = "indices"
  indices {
    train = [0, 1, 2, 3]
    valid = [4, 10] # ERROR: Invalid value for indices.valid
    test  = [5, 2]  # ERROR: Invalid value for indices.test
  }
}
