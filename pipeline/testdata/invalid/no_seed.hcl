# ERROR: Missing seed
simulate "lorenz" {}
