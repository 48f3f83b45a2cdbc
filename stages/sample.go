package stages

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"

	"sdapipe/artifacts"
	"sdapipe/diffusion"
	"sdapipe/dynamics"
	"sdapipe/nn"
	"sdapipe/observe"
)

// Sample draws posterior trajectories given observations, zero-shot: the
// trained local score network is composed into a trajectory score (spec
// §2.8) and guided by the observation likelihood (§4.1) inside the
// predictor–corrector sampler (§5).
var Sample = &Kind{
	Name:    "sample",
	Version: 1,
	Doc:     "sample posterior trajectories given observations, guided by their likelihood",
	Params: []ParamSpec{
		{Name: "model", Type: RefParam, RefKinds: []string{"train"}, Uses: []string{"weights", "network"},
			Doc: "the train stage whose network gives the prior score"},
		{Name: "data", Type: RefParam, RefKinds: []string{"simulate"}, Uses: []string{"test", "system"},
			Doc: "the simulate stage whose test trajectories are the truth observed"},
		{Name: "length", Type: Int, Default: int64(65), Min: Bound(2), Max: Bound(1 << 16), Doc: "states L per trajectory"},
		{Name: "observations", Type: FileParam, Optional: true,
			Doc: `an NPY of observations (observation, value) in standardised units, e.g. file("obs.npy"); without it, observations are made from test trajectories`},
		{Name: "first", Type: Int, Default: int64(0), Min: Bound(0), Doc: "first test trajectory observed"},
		{Name: "count", Type: Int, Default: int64(4), Min: Bound(1), Max: Bound(1 << 16), Doc: "test trajectories observed, one observation set each"},
		{Name: "samples", Type: Int, Default: int64(64), Min: Bound(1), Max: Bound(1 << 20), Doc: "posterior samples per observation set"},
		{Name: "steps", Type: Int, Default: int64(256), Min: Bound(1), Max: Bound(1 << 16), Doc: "sampler steps N"},
		{Name: "corrections", Type: Int, Default: int64(1), Min: Bound(0), Max: Bound(64), Doc: "Langevin corrections C per step"},
		{Name: "tau", Type: Float, Default: 0.25, Min: Bound(1e-6), Max: Bound(10), Doc: "corrector step size τ"},
		{Name: "guidance", Type: String, Default: "gaussian", Choices: []string{"gaussian", "dps", "none"},
			Doc: `likelihood guidance: SDA's "gaussian" (§4.1), the DPS baseline (§4.2), or none (prior samples)`},
		{Name: "gamma", Type: Float, Default: 1e-2, Min: Bound(0), Max: Bound(100), Doc: "γ of the guidance variance σ_y² + γ(σ/μ)²"},
		{Name: "zeta", Type: Float, Default: 1.0, Min: Bound(0), Max: Bound(1e6), Doc: "ζ, the DPS step scale"},
		{Name: "chunk", Type: Int, Default: int64(256), Min: Bound(1), Max: Bound(1 << 16),
			Doc: "trajectories sampled together; each chunk draws from its own random stream"},
	},
	Blocks: []BlockSpec{{Name: "observe", Required: true, Doc: "the observation operator, e.g. observe { variables = [0]  every = 8  noise = 0.05 }",
		Params: []ParamSpec{
			{Name: "operator", Type: String, Default: "select", Choices: []string{"select", "saturate", "norm"},
				Doc: "select: y = x[t, v]; saturate: y = w/(1+|w|) of those; norm: y = |x[t]|"},
			{Name: "variables", Type: IntList, Default: []int64{0}, Min: Bound(0), Doc: "observed state variables (not for norm)"},
			{Name: "start", Type: Int, Default: int64(0), Min: Bound(0), Doc: "first observed state"},
			{Name: "every", Type: Int, Default: int64(1), Min: Bound(1), Doc: "observe every n-th state from start"},
			{Name: "times", Type: IntList, Default: []int64{}, Min: Bound(0), Doc: "observed states as a list; overrides start and every"},
			{Name: "noise", Type: Float, Default: 0.05, Min: Bound(0), Max: Bound(100), Doc: "observation noise σ_y, standardised units"},
		}}},
	Outputs: []OutputSpec{
		{Name: "posterior", Schema: "posterior", Doc: "posterior samples"},
		{Name: "observations", Schema: "observations", Doc: "the observations y"},
		{Name: "operator", Schema: "operator", Doc: "the observation operator and sampler settings"},
		{Name: "truth", Schema: "truth", Optional: true, Doc: "the observed test trajectories (absent for file observations)"},
		{Name: "figure", Schema: "figure", Doc: "ensemble, truth and observations of the first observation set"},
	},
	CheckGraph: checkSample,
	Run:        runSample,
}

func init() { Register(Sample) }

// observeTimes returns the observed time indices of an observe block.
func observeTimes(ob *Params, length int) ([]int, error) {
	if ts := ob.Ints("times"); len(ts) > 0 {
		return ts, nil
	}
	return observe.Every(ob.Int("start"), ob.Int("every"), length)
}

// buildOperator makes the observation operator for events (length, dim).
func buildOperator(ob *Params, length, dim int) (observe.Operator, error) {
	times, err := observeTimes(ob, length)
	if err != nil {
		return nil, err
	}
	switch ob.String("operator") {
	case "norm":
		return observe.NewNorm(length, dim, times)
	case "saturate":
		sel, err := observe.NewSelect(length, dim, ob.Ints("variables"), times)
		if err != nil {
			return nil, err
		}
		return observe.NewSaturate(sel), nil
	}
	return observe.NewSelect(length, dim, ob.Ints("variables"), times)
}

// checkSample validates a sample stage against its model and data before
// anything runs: window against length, variables and times against the
// state, the test set against first and count, and an observations file
// against the operator.
func checkSample(p *Params, refs Resolver) []ParamError {
	var errs []ParamError
	length := p.Int("length")
	if _, tp, ok := refs("model"); ok {
		if w := tp.Int("window"); length < w {
			errs = append(errs, ParamError{"length", fmt.Sprintf(
				"length %d is shorter than the model's window of %d states; the trajectory score is composed of windows, so use length ≥ %d.", length, w, w)})
		}
	}
	_, sp, ok := refs("data")
	if !ok {
		return errs
	}
	dim := systems[sp.String("system")]().Dim()
	op, err := buildOperator(p.Block("observe"), length, dim)
	if err != nil {
		field := "observe.variables"
		if ie, ok := err.(*observe.IndexError); ok && ie.What == "time" {
			field = "observe.times"
		}
		return append(errs, ParamError{field, fmt.Sprintf("%v (trajectories of %d states of %d variables).", err, length, dim)})
	}
	if f, ok := p.File("observations"); ok {
		if msg := checkObservationFile(f, op); msg != "" {
			errs = append(errs, ParamError{"observations", msg})
		}
		return errs
	}
	if l := sp.Int("length"); length > l {
		errs = append(errs, ParamError{"length", fmt.Sprintf("length %d is longer than the simulated trajectories (%d states).", length, l)})
	}
	_, _, nTest := dynamics.Split(sp.Int("trajectories"))
	if first, count := p.Int("first"), p.Int("count"); first+count > nTest {
		errs = append(errs, ParamError{"count", fmt.Sprintf(
			"first %d + count %d exceeds the %d test trajectories of the simulate stage.", first, count, nTest)})
	}
	return errs
}

// checkObservationFile reads a notebook's observations and says what is
// wrong with them, or "".
func checkObservationFile(f File, op observe.Operator) string {
	a, err := artifacts.ReadNPYFile(f.Resolved)
	if err != nil {
		return err.Error()
	}
	m := op.Outputs()
	want := fmt.Sprintf("expected float32 or float64 (observation, value) with value = %d for %s", m, op.Describe())
	if a.DType != artifacts.Float32 && a.DType != artifacts.Float64 {
		return fmt.Sprintf("%s: %s; got dtype %s.", f.Path, want, a.DType)
	}
	if len(a.Shape) == 1 {
		a.Shape = []int{1, a.Shape[0]}
	}
	if len(a.Shape) != 2 || a.Shape[1] != m || a.Shape[0] < 1 {
		return fmt.Sprintf("%s: %s; got shape %v.", f.Path, want, a.Shape)
	}
	y := toFloat64(a)
	for i, v := range y {
		if v != v || v > 1e300 || v < -1e300 {
			return fmt.Sprintf("%s: observation %d, value %d is %v; all values must be finite.", f.Path, i/m, i%m, v)
		}
	}
	return ""
}

func toFloat64(a artifacts.Array) []float64 {
	switch d := a.Data.(type) {
	case []float64:
		return d
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	return nil
}

// loadNet rebuilds a trained network from a train stage's outputs.
func loadNet(env *Env, param string) (*nn.Net, NetworkConfig, error) {
	var cfg NetworkConfig
	if err := env.ReadJSON(param, "network", &cfg); err != nil {
		return nil, cfg, err
	}
	net, err := nn.NewNet(cfg.NN(), rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil, cfg, fmt.Errorf("stage %s: network of %s: %w", env.Addr, env.Inputs[param].Addr, err)
	}
	members, err := env.ReadNPZ(param, "weights")
	if err != nil {
		return nil, cfg, err
	}
	seen := map[string]bool{}
	for _, m := range members {
		w, err := m.Array.Float32()
		if err == nil {
			err = net.SetParam(m.Name, w)
		}
		if err != nil {
			return nil, cfg, fmt.Errorf("stage %s: weights of %s: %s: %w", env.Addr, env.Inputs[param].Addr, m.Name, err)
		}
		seen[m.Name] = true
	}
	for _, p := range net.Params() {
		if !seen[p.Name] {
			return nil, cfg, fmt.Errorf("stage %s: weights of %s lack %s", env.Addr, env.Inputs[param].Addr, p.Name)
		}
	}
	return net, cfg, nil
}

// OperatorInfo is the sample stage's operator output.
type OperatorInfo struct {
	Operator    observe.Description `json:"operator"`
	Text        string              `json:"text"`
	Noise       float64             `json:"noise"`
	Guidance    string              `json:"guidance"`
	Gamma       float64             `json:"gamma,omitempty"`
	Zeta        float64             `json:"zeta,omitempty"`
	Steps       int                 `json:"steps"`
	Corrections int                 `json:"corrections"`
	Tau         float64             `json:"tau"`
	Samples     int                 `json:"samples"`
	Source      string              `json:"source"` // "test trajectories i..j" or the file's path
	First       int                 `json:"first"`
	Window      int                 `json:"window"`
}

func runSample(ctx context.Context, env *Env) error {
	p := env.Params
	net, netCfg, err := loadNet(env, "model")
	if err != nil {
		return err
	}
	sys, err := systemOf(env, "data")
	if err != nil {
		return err
	}
	length, dim := p.Int("length"), sys.Dim()
	if netCfg.StateDim != dim {
		return fmt.Errorf("stage %s: the model was trained on %d variables, the data have %d", env.Addr, netCfg.StateDim, dim)
	}
	ob := p.Block("observe")
	op, err := buildOperator(ob, length, dim)
	if err != nil {
		return fmt.Errorf("stage %s: observe: %w", env.Addr, err)
	}
	obs, err := makeObservations(env, op, length, dim)
	if err != nil {
		return err
	}
	post, err := samplePosterior(ctx, env, net, netCfg, op, obs)
	if err != nil {
		return err
	}
	return writeSampleOutputs(env, sys, op, obs, post, netCfg)
}

// observationSet holds the observations (nObs, M) in standardised units
// and, when made from test trajectories, the truth (nObs, L, D).
type observationSet struct {
	y      []float32
	nObs   int
	truth  []float32 // nil for file observations
	source string
}

func makeObservations(env *Env, op observe.Operator, length, dim int) (observationSet, error) {
	p := env.Params
	m := op.Outputs()
	if _, ok := p.File("observations"); ok {
		a, err := env.ReadFileArray("observations")
		if err != nil {
			return observationSet{}, err
		}
		y64 := toFloat64(a)
		y := make([]float32, len(y64))
		for i, v := range y64 {
			y[i] = float32(v)
		}
		f, _ := p.File("observations")
		return observationSet{y: y, nObs: len(y) / m, source: f.Path}, nil
	}
	test, err := env.ReadArray("data", "test", map[string]int{"state": dim})
	if err != nil {
		return observationSet{}, err
	}
	x, _ := test.Float32()
	first, count, tl := p.Int("first"), p.Int("count"), test.Shape[1]
	if first+count > test.Shape[0] || length > tl {
		return observationSet{}, fmt.Errorf("stage %s: the test set (%v) has no trajectories %d..%d of %d states",
			env.Addr, test.Shape, first, first+count-1, length)
	}
	set := observationSet{nObs: count, y: make([]float32, count*m), truth: make([]float32, count*length*dim),
		source: fmt.Sprintf("test trajectories %d..%d of %s", first, first+count-1, env.Inputs["data"].Addr)}
	rng := env.RNG("observations")
	noise := p.Block("observe").Float("noise")
	truth64 := make([]float64, length*dim)
	y64 := make([]float64, m)
	for o := range count {
		src := x[(first+o)*tl*dim : ((first+o)*tl+length)*dim]
		copy(set.truth[o*length*dim:], src)
		for i, v := range src {
			truth64[i] = float64(v)
		}
		op.Apply64(y64, truth64)
		for j, v := range y64 {
			set.y[o*m+j] = float32(v + noise*rng.NormFloat64())
		}
	}
	return set, nil
}

// samplePosterior draws p.samples trajectories per observation set, in
// chunks of events that each draw from their own random stream, so the
// result does not depend on how chunks are scheduled.
func samplePosterior(ctx context.Context, env *Env, net *nn.Net, netCfg NetworkConfig, op observe.Operator, obs observationSet) ([]float32, error) {
	p := env.Params
	length, dim := op.Shape()
	samples, chunk, m := p.Int("samples"), p.Int("chunk"), op.Outputs()
	total := obs.nObs * samples
	event := length * dim
	k := (netCfg.Window - 1) / 2
	comp, err := diffusion.NewComposite(net, k, length, dim)
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", env.Addr, err)
	}
	sched := diffusion.VPCosine{Eta: netCfg.Eta}
	pc := &diffusion.PC{Sched: sched, Steps: p.Int("steps"), Corrections: p.Int("corrections"), Tau: p.Float("tau")}
	if err := pc.Validate(); err != nil {
		return nil, fmt.Errorf("stage %s: %w", env.Addr, err)
	}
	post := make([]float32, total*event)
	y := make([]float32, min(chunk, total)*m)
	nChunks := (total + chunk - 1) / chunk
	bar := env.StartProgress("sample", int64(nChunks*pc.Steps))
	defer bar.Done()
	env.Logger().Info("sampling", "trajectories", total, "chunks", nChunks, "steps", pc.Steps, "corrections", pc.Corrections,
		"guidance", p.String("guidance"))
	for c := range nChunks {
		lo, hi := c*chunk, min((c+1)*chunk, total)
		n := hi - lo
		for e := lo; e < hi; e++ {
			o := e / samples
			copy(y[(e-lo)*m:(e-lo+1)*m], obs.y[o*m:(o+1)*m])
		}
		den, err := guided(p, comp, op, y[:n*m], sched)
		if err != nil {
			return nil, fmt.Errorf("stage %s: %w", env.Addr, err)
		}
		rng := env.RNG("chunk " + strconv.Itoa(c))
		done := 0
		err = pc.SampleContext(ctx, post[lo*event:hi*event], n, den, rng, func(d, _ int) {
			bar.Add(int64(d - done))
			done = d
		})
		if err != nil {
			return nil, fmt.Errorf("stage %s: chunk %d: %w", env.Addr, c, err)
		}
	}
	return post, nil
}

// guided wraps the prior trajectory denoiser with the configured guidance.
func guided(p *Params, prior diffusion.DifferentiableDenoiser, op observe.Operator, y []float32, sched diffusion.Schedule) (diffusion.Denoiser, error) {
	noise := p.Block("observe").Float("noise")
	switch p.String("guidance") {
	case "none":
		return prior, nil
	case "dps":
		g := &diffusion.DPSGuidance{Inner: prior, Op: op, Y: y, Zeta: p.Float("zeta"), Sched: sched}
		return g, g.Validate()
	}
	g := &diffusion.GaussianGuidance{Inner: prior, Op: op, Y: y, Std: noise, Gamma: p.Float("gamma"), Sched: sched}
	return g, g.Validate()
}
