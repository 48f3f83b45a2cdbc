package schemas

// The artifact kinds of a study. Dimension names are the words a
// notebook user reads in `sdapipe show`; units say which space the numbers
// live in (the score model works in standardised units, metrics in
// physical ones).
var (
	Trajectories = declare(&Kind{
		Name: "trajectories", Format: NPY, DType: "float32",
		Dims:  []string{"trajectory", "time", "state..."},
		Units: "standardised",
		Doc:   "trajectories, simulated or read from a file, (x - mean) / scale per state variable or channel; state... is the state's shape ([3] for Lorenz 63, [2, 64, 64] for a velocity field)",
	})
	Standardization = declare(&Kind{
		Name: "standardization", Format: NPZ, DType: "float64",
		Members: []string{"mean [variable]", "scale [variable]"},
		Units:   "physical",
		Doc:     "constants of the standardisation x_std = (x - mean) / scale, one per entry of the state's first axis (variable of a vector, channel of a field)",
	})
)

// Kinds written by the train stage.
var (
	Weights = declare(&Kind{
		Name: "weights", Format: NPZ, DType: "float32",
		Doc: "network parameters by PyTorch-style name (embed.l1.weight, blocks.0.l1.weight, ...); weights are (out, in)",
	})
	Network = declare(&Kind{
		Name: "network", Format: JSON,
		Doc: "network configuration: architecture, window, state shape, the architecture's own settings (resmlp: features, width, depth, embedding), noise schedule",
	})
	LossCurve = declare(&Kind{
		Name: "losscurve", Format: Arrow,
		Columns: []string{"step int64", "lr float64", "train_loss float64", "valid_loss float64"},
		Doc:     "training curve: mean train loss since the previous row and the loss on fixed validation windows",
	})
	Figure = declare(&Kind{
		Name: "figure", Format: PNG,
		Doc: "a plot for people to look at",
	})
	Check = declare(&Kind{
		Name: "check", Format: JSON,
		Doc: "unconditionally sampled windows scored under the true transition density, or their moments against the data's when the system has none",
	})
)

// System describes the dynamical system behind a dataset.
var System = declare(&Kind{
	Name: "system", Format: JSON,
	Doc: "the dynamical system that made the data: name (\"file\" for trajectories read from one), settings, state shape, transition noise variance, standardisation",
})

// Kinds written by the sample stage.
var (
	Posterior = declare(&Kind{
		Name: "posterior", Format: NPY, DType: "float32",
		Dims:  []string{"observation", "sample", "time", "state..."},
		Units: "physical",
		Doc:   "posterior trajectories, samples per observation set",
	})
	Observations = declare(&Kind{
		Name: "observations", Format: NPY, DType: "float32",
		Dims:  []string{"observation", "value"},
		Units: "standardised",
		Doc:   "observations y = A(x) + noise, one row per observation set",
	})
	Operator = declare(&Kind{
		Name: "operator", Format: JSON,
		Doc: "the observation operator (kind, variables, times, noise) and the sampler's settings",
	})
	Truth = declare(&Kind{
		Name: "truth", Format: NPY, DType: "float32",
		Dims:  []string{"observation", "time", "state..."},
		Units: "physical",
		Doc:   "the test trajectories the observations were made from",
	})
)

// Settings records how a sample stage sampled.
var Settings = declare(&Kind{
	Name: "settings", Format: JSON,
	Doc: "sampler settings (guidance, γ, steps, corrections, τ, samples) and the model's window",
})

// Kinds written by the filter and evaluate stages.
var (
	FilterSummary = declare(&Kind{
		Name: "filtersummary", Format: JSON,
		Doc: "particle filter diagnostics: smallest effective sample size and log-evidence per run and observation set",
	})
	Metrics = declare(&Kind{
		Name: "metrics", Format: Arrow,
		Columns: []string{"stage string", "observation int64", "metric string", "value float64"},
		Doc:     "one row per posterior stage × observation set × metric (log_prior, log_lik, resid_std, rmse, spread, spread_error, crps, w1)",
	})
	Summary = declare(&Kind{
		Name: "summary", Format: JSON,
		Doc: "medians over observation sets of each metric per stage, with each stage's settings and the metrics left out and why",
	})
)

// ModeSummary records a mode search.
var ModeSummary = declare(&Kind{
	Name: "modesummary", Format: JSON,
	Doc: "per observation set: the cost of each 4D-Var optimum and the indices of the distinct modes",
})

// Kinds the evaluate stage writes for fields.
var (
	StateMetrics = declare(&Kind{
		Name: "statemetrics", Format: Arrow,
		Columns: []string{"stage string", "observation int64", "time int64", "metric string", "value float64"},
		Doc:     "per state of the trajectory: rmse of the posterior mean to the truth, physics (error of the re-simulation from the first state)",
	})
	Spectra = declare(&Kind{
		Name: "spectra", Format: Arrow,
		Columns: []string{"stage string", "observation int64", "wavenumber int64", "energy float64"},
		Doc:     "radial kinetic-energy spectra averaged over a posterior's states (and the truth's)",
	})
)
