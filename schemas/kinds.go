package schemas

// The artifact kinds of the Lorenz study. Dimension names are the words a
// notebook user reads in `sdapipe show`; units say which space the numbers
// live in (the score model works in standardised units, metrics in
// physical ones).
var (
	Trajectories = declare(&Kind{
		Name: "trajectories", Format: NPY, DType: "float32",
		Dims:  []string{"trajectory", "time", "state"},
		Units: "standardised",
		Doc:   "simulated trajectories, (x - mean) / scale per state variable",
	})
	Standardization = declare(&Kind{
		Name: "standardization", Format: NPZ, DType: "float64",
		Members: []string{"mean [state]", "scale [state]"},
		Units:   "physical",
		Doc:     "constants of the standardisation x_std = (x - mean) / scale",
	})
)
