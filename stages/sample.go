package stages

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"

	"sdapipe/artifacts"
	"sdapipe/diffusion"
	"sdapipe/nets"
	"sdapipe/observe"
	"sdapipe/stage"
)

// newSample returns the sample kind, which draws posterior trajectories given observations, zero-shot: the
// trained local score network is composed into a trajectory score (docs/method.md
// §2.8) and guided by the observation likelihood (§4.1) inside the
// predictor–corrector sampler (§5). One trained model serves any observe
// stage.
func newSample(c *Catalog) *stage.Kind {
	split := sampleSplit(c)
	return &stage.Kind{
		Name: "sample",
		// Version 2: an MMPS sample's settings record its Jacobian mode
		// (samples themselves are unchanged; evaluate summaries that
		// quote the settings change with them).
		Version: 2,
		Doc:     "sample posterior trajectories given observations, guided by their likelihood",
		Params: []stage.ParamSpec{
			{Name: "model", Type: stage.RefParam, RefKinds: []string{"train"}, Uses: []string{"weights", "network"},
				Doc: "the train stage whose network gives the prior score"},
			{Name: "observations", Type: stage.RefParam, RefKinds: []string{"observe"}, Uses: []string{"observations", "operator", "system"},
				Doc: "the observe stage whose observations the samples condition on"},
			{Name: "samples", Type: stage.Int, Default: int64(64), Min: stage.Bound(1), Max: stage.Bound(1 << 20), Doc: "posterior samples per observation set"},
			{Name: "steps", Type: stage.Int, Default: int64(256), Min: stage.Bound(1), Max: stage.Bound(1 << 16), Doc: "sampler steps N"},
			{Name: "corrections", Type: stage.Int, Default: int64(1), Min: stage.Bound(0), Max: stage.Bound(64), Doc: "Langevin corrections C per step"},
			{Name: "tau", Type: stage.Float, Default: 0.25, Min: stage.Bound(1e-6), Max: stage.Bound(10), Doc: "corrector step size τ"},
			{Name: "guidance", Type: stage.String, Default: "gaussian", Choices: []string{"gaussian", "mmps", "dps", "none"},
				Doc: `likelihood guidance: SDA's "gaussian" (docs/method.md §4.1), moment matching "mmps" (§4.1), the DPS baseline (§4.2), or none (prior samples)`},
			{Name: "gamma", Type: stage.Float, Default: 1e-2, Min: stage.Bound(0), Max: stage.Bound(100), Doc: "γ of the guidance variance σ_y² + γ(σ/μ)²"},
			{Name: "zeta", Type: stage.Float, Default: 1.0, Min: stage.Bound(0), Max: stage.Bound(1e6), Doc: "ζ, the DPS step scale"},
			{Name: "chunk", Type: stage.Int, Default: int64(256), Min: stage.Bound(1), Max: stage.Bound(1 << 16),
				Doc: "trajectories sampled together; each chunk draws from its own random stream"},
		},
		Blocks: []stage.BlockSpec{{Name: "mmps", Variant: "guidance",
			Doc: "settings of moment-matching posterior sampling (docs/method.md §4.1)",
			Params: []stage.ParamSpec{
				{Name: "solver", Type: stage.String, Default: "gmres", Choices: []string{"gmres", "cg"},
					Doc: "the Krylov solver of the observation-space system: gmres (robust) or cg (needs it positive definite)"},
				{Name: "jacobian", Type: stage.String, Default: "transpose", Choices: []string{"transpose", "difference"},
					Doc: "how the solver applies ∂x̂/∂x: as its transpose through the VJP (the paper's, exact for a symmetric Jacobian) or by central differences of ε (exact for any)"},
				{Name: "iterations", Type: stage.Int, Default: int64(1), Min: stage.Bound(1), Max: stage.Bound(1000),
					Doc: "solver iterations per evaluation, each one more network VJP"},
				{Name: "tol", Type: stage.Float, Default: 0.0, Min: stage.Bound(0), Max: stage.Bound(0.999),
					Doc: "relative residual at which the solver stops early for a trajectory (0: always all iterations)"},
			}}},
		Outputs: []stage.OutputSpec{
			{Name: "posterior", Schema: "posterior", Doc: "posterior samples"},
			{Name: "settings", Schema: "settings", Doc: "the sampler's settings and the model's window"},
			{Name: "figure", Schema: "figure", Doc: "ensemble, truth and observations of the first observation set"},
		},
		CheckGraph: checkSample,
		Split:      split,
		Run:        func(ctx context.Context, env *stage.Env) error { return stage.RunSplit(ctx, env, split) },
	}
}

// checkSample validates a sample stage against its model and observations
// before anything runs: the trajectories must hold at least one window.
func checkSample(p *stage.Params, refs stage.Resolver) []stage.ParamError {
	_, tp, ok1 := refs("model")
	_, op, ok2 := refs("observations")
	if !ok1 || !ok2 {
		return nil
	}
	if w, l := tp.Int("window"), op.Int("length"); l < w {
		return []stage.ParamError{{Param: "observations", Detail: fmt.Sprintf(
			"the observed trajectories have %d states, fewer than the model's window of %d; the trajectory score is composed of windows, so observe length ≥ %d.", l, w, w)}}
	}
	return nil
}

// Settings is the sample stage's settings output.
type Settings struct {
	Guidance    string  `json:"guidance"`
	Gamma       float64 `json:"gamma,omitempty"`
	Solver      string  `json:"solver,omitempty"`
	Jacobian    string  `json:"jacobian,omitempty"`
	Iterations  int     `json:"iterations,omitempty"`
	Tol         float64 `json:"tol,omitempty"`
	Zeta        float64 `json:"zeta,omitempty"`
	Steps       int     `json:"steps"`
	Corrections int     `json:"corrections"`
	Tau         float64 `json:"tau"`
	Samples     int     `json:"samples"`
	Window      int     `json:"window"`
	Model       string  `json:"model"`
	Observe     string  `json:"observations"`
}

// The sample kind's work splits into the sampler's chunks (units): chunk c
// holds events [c·chunk, (c+1)·chunk) of the nObs × samples trajectories
// and draws from the stream "chunk c", so a part's result depends only on
// its chunks, never on which process computes it or what else that
// process computes. A part's result is its standardised trajectories,
// as a flat float32 NPY; the gather step concatenates the parts in order,
// undoes the standardisation and writes the outputs.
func sampleSplit(c *Catalog) *stage.Split {
	return &stage.Split{
		Units: sampleUnits,
		Part: func(ctx context.Context, env *stage.Env, lo, hi int) ([]byte, error) {
			return samplePart(ctx, env, c, lo, hi)
		},
		Gather: func(ctx context.Context, env *stage.Env, parts [][]byte) error { return gatherSample(env, c, parts) },
	}
}

// sampleInputs is what each step of a sample stage reads from upstream.
type sampleInputs struct {
	model   nets.Model // nil in the gather step, which samples nothing
	netFile NetworkFile
	sys     DataSystem
	op      observe.Operator
	info    OperatorInfo
	y       []float32 // observations, (observation, value) row-major
	nObs    int
}

func loadSampleInputs(env *stage.Env, c *Catalog, withModel bool) (*sampleInputs, error) {
	in := &sampleInputs{}
	var err error
	if withModel {
		in.model, in.netFile, err = c.loadModel(env, "model")
	} else {
		err = env.ReadJSON("model", "network", &in.netFile)
	}
	if err != nil {
		return nil, err
	}
	if in.sys, _, err = c.systemOf(env, "observations"); err != nil {
		return nil, err
	}
	if in.op, in.info, err = operatorOf(env, "observations"); err != nil {
		return nil, err
	}
	if state := in.info.StateShape(); !slices.Equal(in.netFile.State(), state) {
		return nil, fmt.Errorf("the model was trained on states of shape %v, the observations are of states of shape %v", in.netFile.State(), state)
	}
	obsArr, err := env.ReadArray("observations", "observations", map[string]int{"value": in.op.Outputs()})
	if err != nil {
		return nil, err
	}
	in.y, _ = obsArr.Float32()
	in.nObs = obsArr.Shape[0]
	return in, nil
}

// sampleUnits returns the number of sampler chunks.
func sampleUnits(env *stage.Env) (int, error) {
	obs, err := env.ReadArray("observations", "observations", nil)
	if err != nil {
		return 0, err
	}
	total, chunk := obs.Shape[0]*env.Params.Int("samples"), env.Params.Int("chunk")
	return max(1, (total+chunk-1)/chunk), nil
}

// samplePart samples the trajectories of chunks [lo, hi).
func samplePart(ctx context.Context, env *stage.Env, c *Catalog, lo, hi int) ([]byte, error) {
	in, err := loadSampleInputs(env, c, true)
	if err != nil {
		return nil, err
	}
	post, err := samplePosterior(ctx, env, in, lo, hi)
	if err != nil {
		return nil, err
	}
	return artifacts.EncodeNPY(artifacts.NewFloat32([]int{len(post)}, post))
}

// gatherSample writes the outputs from the parts' trajectories.
func gatherSample(env *stage.Env, c *Catalog, parts [][]byte) error {
	p := env.Params
	in, err := loadSampleInputs(env, c, false)
	if err != nil {
		return err
	}
	length, dim := in.op.Shape()
	samples, state := p.Int("samples"), in.info.StateShape()
	want := in.nObs * samples * length * dim
	post := make([]float32, 0, want)
	for i, b := range parts {
		a, err := artifacts.ReadNPYNamed(bytes.NewReader(b), fmt.Sprintf("part %d", i))
		if err != nil {
			return err
		}
		v, err := a.Float32()
		if err != nil {
			return fmt.Errorf("part %d: %w", i, err)
		}
		post = append(post, v...)
	}
	if len(post) != want {
		return fmt.Errorf("the parts hold %d values, want %d observation sets × %d samples × %d values", len(post), in.nObs, samples, length*dim)
	}
	st := in.sys.Standardization()
	st.Invert32(post, post)
	sizes := map[string]int{"time": length, "observation": in.nObs, "sample": samples}
	shape := append([]int{in.nObs, samples, length}, state...)
	if err := env.WriteArray("posterior", artifacts.NewFloat32(shape, post), sizes, state...); err != nil {
		return err
	}
	set := Settings{
		Guidance: p.String("guidance"), Steps: p.Int("steps"), Corrections: p.Int("corrections"), Tau: p.Float("tau"),
		Samples: samples, Window: in.netFile.Window, Model: env.Inputs["model"].Addr, Observe: env.Inputs["observations"].Addr,
	}
	switch set.Guidance {
	case "gaussian":
		set.Gamma = p.Float("gamma")
	case "mmps":
		b := p.Block("mmps")
		set.Solver, set.Jacobian, set.Iterations, set.Tol = b.String("solver"), b.String("jacobian"), b.Int("iterations"), b.Float("tol")
	case "dps":
		set.Zeta = p.Float("zeta")
	}
	if err := env.WriteJSON("settings", set); err != nil {
		return err
	}
	title := fmt.Sprintf("%s: C = %d, window %d, %s", env.Addr, set.Corrections, set.Window, in.info.Text)
	png, err := trajectoryFigure(title, st, state, in.op, in.y[:in.op.Outputs()], post[:samples*length*dim], samples, nil, nil)
	if err != nil {
		return fmt.Errorf("figure: %w", err)
	}
	return env.WriteBytes("figure", png)
}

// samplePosterior draws the trajectories of chunks [lo, hi) of
// p.samples trajectories per observation set, in standardised units.
// Each chunk draws from its own random stream, so the result does not
// depend on how chunks are scheduled or grouped.
func samplePosterior(ctx context.Context, env *stage.Env, in *sampleInputs, lo, hi int) ([]float32, error) {
	p := env.Params
	length, dim := in.op.Shape()
	samples, chunk, m := p.Int("samples"), p.Int("chunk"), in.op.Outputs()
	total := in.nObs * samples
	event := length * dim
	k := (in.netFile.Window - 1) / 2
	comp, err := diffusion.NewComposite(in.model, k, length, dim)
	if err != nil {
		return nil, err
	}
	sched := diffusion.VPCosine{Eta: in.netFile.Eta}
	pc := &diffusion.PC{Sched: sched, Steps: p.Int("steps"), Corrections: p.Int("corrections"), Tau: p.Float("tau")}
	if err := pc.Validate(); err != nil {
		return nil, err
	}
	first, end := min(lo*chunk, total), min(hi*chunk, total)
	post := make([]float32, (end-first)*event)
	y := make([]float32, min(chunk, total)*m)
	bar := env.StartProgress("sample", int64((hi-lo)*pc.Steps))
	defer bar.Done()
	env.Logger().Info("sampling", "trajectories", end-first, "chunks", fmt.Sprintf("%d-%d of %d", lo, hi-1, (total+chunk-1)/chunk),
		"steps", pc.Steps, "corrections", pc.Corrections, "guidance", p.String("guidance"))
	for c := lo; c < hi; c++ {
		from, to := min(c*chunk, total), min((c+1)*chunk, total)
		n := to - from
		if n == 0 {
			break
		}
		for e := from; e < to; e++ {
			o := e / samples
			copy(y[(e-from)*m:(e-from+1)*m], in.y[o*m:(o+1)*m])
		}
		den, err := guided(p, comp, in.op, in.info.Noise, y[:n*m], sched)
		if err != nil {
			return nil, err
		}
		rng := env.RNG("chunk " + strconv.Itoa(c))
		done := 0
		err = pc.SampleContext(ctx, post[(from-first)*event:(to-first)*event], n, den, rng, func(d, _ int) {
			bar.Add(int64(d - done))
			done = d
		})
		if err != nil {
			return nil, fmt.Errorf("chunk %d: %w", c, err)
		}
	}
	return post, nil
}

// guided wraps the prior trajectory denoiser with the configured guidance.
func guided(p *stage.Params, prior diffusion.DifferentiableDenoiser, op observe.Operator, noise float64, y []float32, sched diffusion.Schedule) (diffusion.Denoiser, error) {
	switch p.String("guidance") {
	case "none":
		return prior, nil
	case "dps":
		g := &diffusion.DPSGuidance{Inner: prior, Op: op, Y: y, Zeta: p.Float("zeta"), Sched: sched}
		return g, g.Validate()
	case "mmps":
		lin, ok := op.(observe.Linearizable)
		if !ok {
			return nil, fmt.Errorf("MMPS guidance linearises the observation operator, and %s has no Jacobian-vector product", op.Describe().Kind)
		}
		b := p.Block("mmps")
		g := &diffusion.MMPSGuidance{Inner: prior, Op: lin, Y: y, Std: noise, Sched: sched,
			Iterations: b.Int("iterations"), Tol: b.Float("tol")}
		if b.String("solver") == "cg" {
			g.Solver = diffusion.CG
		}
		if b.String("jacobian") == "difference" {
			g.Jacobian = diffusion.Difference
		}
		return g, g.Validate()
	}
	g := &diffusion.GaussianGuidance{Inner: prior, Op: op, Y: y, Std: noise, Gamma: p.Float("gamma"), Sched: sched}
	return g, g.Validate()
}
