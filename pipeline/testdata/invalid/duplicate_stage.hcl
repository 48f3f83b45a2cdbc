simulate "lorenz" {}
simulate "lorenz" {} # ERROR: Duplicate stage
