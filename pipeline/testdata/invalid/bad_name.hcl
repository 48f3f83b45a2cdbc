simulate "9lives" {} # ERROR: Invalid stage name
seed = 1
