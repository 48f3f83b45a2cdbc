simulate "lorenz" {}
simulate "lorenz" {} # ERROR: Duplicate stage
seed = 1
