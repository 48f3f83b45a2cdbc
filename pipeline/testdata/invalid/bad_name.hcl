simulate "9lives" {} # ERROR: Invalid stage name
