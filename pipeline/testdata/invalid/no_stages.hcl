seed = 1 # ERROR: No stages
workspace = "results"
