package stages

import (
	"context"
	"fmt"
	"time"

	"sdapipe/artifacts"
	"sdapipe/diffusion"
	"sdapipe/dynamics"
	"sdapipe/internal/floats"
	"sdapipe/metrics"
	"sdapipe/nets"
	"sdapipe/plots"
	"sdapipe/stage"
	"sdapipe/training"
)

// newTrain returns the train kind: a local score network of one of the
// catalog's architectures, fitted by denoising score matching
// (docs/method.md §2.2, §3).
func newTrain(c *Catalog) *stage.Kind {
	return &stage.Kind{
		Name:    "train",
		Version: 1,
		Doc:     "train a local score network on windows of the simulated trajectories",
		Params: []stage.ParamSpec{
			{Name: "data", Type: stage.RefParam, RefKinds: []string{"simulate", "dataset"}, Uses: []string{"train", "valid", "system"},
				Doc: "the simulate or dataset stage whose train and valid splits are used"},
			{Name: "window", Type: stage.Int, Default: int64(5), Min: stage.Bound(3), Max: stage.Bound(17),
				Doc: "states per local window, 2k+1 (odd)"},
			{Name: "network", Type: stage.String, Default: "resmlp", Choices: c.Archs.Names(),
				Doc: "the architecture; its settings go in a block of the same name"},
			{Name: "batch", Type: stage.Int, Default: int64(256), Min: stage.Bound(1), Max: stage.Bound(1 << 16), Doc: "windows per step"},
			{Name: "steps", Type: stage.Int, Default: int64(10000), Min: stage.Bound(1), Max: stage.Bound(1 << 26), Doc: "AdamW steps"},
			{Name: "lr", Type: stage.Float, Default: 1e-3, Min: stage.Bound(1e-8), Max: stage.Bound(1), Doc: "peak learning rate, decayed linearly to 0"},
			{Name: "weight_decay", Type: stage.Float, Default: 1e-3, Min: stage.Bound(0), Max: stage.Bound(1), Doc: "AdamW decoupled weight decay"},
			{Name: "eta", Type: stage.Float, Default: 1e-3, Min: stage.Bound(1e-6), Max: stage.Bound(0.1), Doc: "η of the cosine VP schedule"},
			{Name: "valid_every", Type: stage.Int, Default: int64(500), Min: stage.Bound(1), Doc: "steps between validation losses"},
			{Name: "valid_windows", Type: stage.Int, Default: int64(4096), Min: stage.Bound(1), Max: stage.Bound(1 << 20), Doc: "fixed validation windows"},
			{Name: "check_samples", Type: stage.Int, Default: int64(4096), Min: stage.Bound(1), Max: stage.Bound(1 << 20),
				Doc: "windows sampled unconditionally after training to score the model"},
			{Name: "check_steps", Type: stage.Int, Default: int64(64), Min: stage.Bound(1), Max: stage.Bound(4096), Doc: "sampler steps of that check"},
		},
		Blocks: archBlocks(c.Archs),
		Outputs: []stage.OutputSpec{
			{Name: "weights", Schema: "weights", Doc: "trained parameters"},
			{Name: "network", Schema: "network", Doc: "the network's configuration"},
			{Name: "losses", Schema: "losscurve", Doc: "loss curve"},
			{Name: "curve", Schema: "figure", Doc: "loss curve plot"},
			{Name: "check", Schema: "check", Doc: "unconditional sample check"},
		},
		Check: func(p *stage.Params) []stage.ParamError {
			if p.Int("window")%2 == 0 {
				return []stage.ParamError{{Param: "window", Detail: fmt.Sprintf("window must be odd (2k+1 states around a centre); got %d.", p.Int("window"))}}
			}
			return nil
		},
		CheckGraph: func(p *stage.Params, refs stage.Resolver) []stage.ParamError {
			kind, dp, ok := refs("data")
			if !ok {
				return nil
			}
			facts, ok := c.factsOf(kind, dp)
			if w := p.Int("window"); ok && w > facts.length {
				return []stage.ParamError{{Param: "window", Detail: fmt.Sprintf(
					"window %d is longer than the trajectories of %s (%d states in %s); a window is %d consecutive states of one trajectory.",
					w, p.Ref("data"), facts.length, facts.what, w)}}
			}
			return nil
		},
		Run: func(ctx context.Context, env *stage.Env) error { return runTrain(ctx, env, c) },
	}
}

// readSplit reads one split of a simulate or dataset stage as a training dataset and
// returns the shape of its states.
func readSplit(env *stage.Env, param, name string) (training.Dataset, []int, error) {
	a, err := env.ReadArray(param, name, nil)
	if err != nil {
		return training.Dataset{}, nil, err
	}
	x, err := a.Float32()
	if err != nil {
		return training.Dataset{}, nil, fmt.Errorf("%s: %w", name, err)
	}
	state := a.Shape[2:]
	return training.Dataset{Data: x, N: a.Shape[0], L: a.Shape[1], D: dynamics.ShapeSize(state)}, state, nil
}

func runTrain(ctx context.Context, env *stage.Env, c *Catalog) error {
	p := env.Params
	train, state, err := readSplit(env, "data", "train")
	if err != nil {
		return err
	}
	valid, _, err := readSplit(env, "data", "valid")
	if err != nil {
		return err
	}
	window := p.Int("window")
	if window > train.L || window > valid.L {
		return fmt.Errorf("window %d is longer than the trajectories (%d states)", window, min(train.L, valid.L))
	}
	sys, _, err := c.systemOf(env, "data")
	if err != nil {
		return err
	}
	w := nets.Window{States: window, State: state}
	model, cfg, arch, err := c.newModel(p, w, env.RNG("init"))
	if err != nil {
		return err
	}
	file, err := newNetworkFile(arch, w, cfg, model, p.Float("eta"))
	if err != nil {
		return err
	}
	sched := diffusion.VPCosine{Eta: file.Eta}
	opt := training.Options{
		Window: window, Batch: p.Int("batch"), Steps: p.Int("steps"),
		LR: p.Float("lr"), WeightDecay: p.Float("weight_decay"),
		ValidEvery: p.Int("valid_every"), ValidWindows: p.Int("valid_windows"), Sched: sched,
	}
	log := env.Logger()
	log.Info("training", "network", arch, "parameters", file.Parameters, "steps", opt.Steps, "batch", opt.Batch, "window", window)
	trainCheckpoints(env, model, &opt)
	bar := env.StartProgress("train", int64(opt.Steps))
	if opt.Resume != nil {
		bar.Add(int64(opt.Resume.Step))
	}
	start := time.Now()
	curve, err := training.Train(ctx, model, train, valid, opt, env.Source("batches"), env.RNG("valid"),
		func(step int, loss float64) {
			bar.Add(1)
			if step%50 == 0 {
				bar.Status(fmt.Sprintf("loss %.4f", loss))
			}
		})
	bar.Done()
	if err != nil {
		return err
	}
	last := curve[len(curve)-1]
	log.Info("trained", "seconds", fmt.Sprintf("%.1f", time.Since(start).Seconds()),
		"train_loss", fmt.Sprintf("%.4f", last.TrainLoss), "valid_loss", fmt.Sprintf("%.4f", last.ValidLoss))

	res, windows, err := training.Check(ctx, model, sys.Chain(), sys.Standardization(), train, sched, window,
		p.Int("check_samples"), p.Int("check_steps"), env.RNG("check"))
	if err != nil {
		return err
	}
	check := trainCheck{CheckResult: res}
	log.Info("unconditional check", res.LogFields()...)
	if fs, ok := sys.(fieldSystem); ok && len(state) == 3 {
		check.Fields = fieldCheck(fs, sys.Standardization(), windows, train)
		log.Info("unconditional check of fields", "spectrum_error", fmt.Sprintf("%.3f", check.Fields.SpectrumError),
			"enstrophy", fmt.Sprintf("%.3g", check.Fields.SampleEnstrophy), "data_enstrophy", fmt.Sprintf("%.3g", check.Fields.DataEnstrophy))
	}
	return writeTrainOutputs(env, model, file, curve, check)
}

// checkpointEvery is how often a training run saves its state: a kill
// loses at most this much work (Ctrl-C loses none). Saving costs three
// copies of the weights written once, tens of milliseconds.
const checkpointEvery = 2 * time.Minute

// trainCheckpoints makes opt resume from the stage's checkpoint, if an
// interrupted attempt at the same key left one, and save to it as it goes.
// A checkpoint that cannot be read or does not fit is reported and
// ignored: training starts over, which gives the same bytes.
func trainCheckpoints(env *stage.Env, model nets.Model, opt *training.Options) {
	ck := env.Checkpoint
	if ck == nil {
		return
	}
	log := env.Logger()
	b, err := ck.Load()
	if err != nil {
		log.Warn("ignoring the checkpoint; training starts over", "error", err)
	} else if b != nil {
		st, err := training.UnmarshalState(b)
		if err == nil {
			err = st.Fits(model, opt.Steps)
		}
		if err != nil {
			log.Warn("ignoring the checkpoint; training starts over", "error", err)
		} else {
			log.Info(fmt.Sprintf("resuming from the checkpoint at step %d of %d", st.Step, opt.Steps))
			opt.Resume = st
		}
	}
	opt.CheckpointEvery = checkpointEvery
	// A checkpoint that cannot be saved costs only the chance to resume:
	// training goes on.
	opt.Checkpoint = func(st *training.State) error {
		b, err := st.MarshalBinary()
		if err == nil {
			err = ck.Save(b)
		}
		if err != nil {
			log.Warn("could not save a checkpoint; training goes on", "step", st.Step, "error", err)
		} else {
			log.Debug("checkpoint saved", "step", st.Step, "bytes", len(b))
		}
		return nil
	}
}

// trainCheck is the train stage's check output: the unconditional check
// and, for fields, how the sampled states' spectrum compares with the data's.
type trainCheck struct {
	training.CheckResult
	Fields *FieldCheck `json:"fields,omitempty"`
}

// FieldCheck compares the states of unconditionally sampled windows with
// the training data's (docs/method.md §3, the check for fields): the
// energy spectrum (SpectrumError, mean |log10 ratio| over the resolved
// wavenumbers), the mean kinetic energy and the mean enstrophy.
type FieldCheck struct {
	SpectrumError   float64 `json:"spectrum_error"`
	SampleEnergy    float64 `json:"sample_energy"`
	DataEnergy      float64 `json:"data_energy"`
	SampleEnstrophy float64 `json:"sample_enstrophy"`
	DataEnstrophy   float64 `json:"data_enstrophy"`
}

// fieldCheckStates is how many training states the field check measures.
const fieldCheckStates = 512

func fieldCheck(fs fieldSystem, st dynamics.Standardization, windows []float32, data training.Dataset) *FieldCheck {
	d := data.D
	sampled := floats.To64(windows)
	st.Invert(sampled, sampled)
	n := min(fieldCheckStates, data.N*data.L)
	ref := floats.To64(data.Data[:n*d])
	st.Invert(ref, ref)
	stats := func(x []float64) (spec []float64, energy, enstrophy float64) {
		spec = metrics.MeanSpectrum(fs.NewSpectrum(), x, d)
		for _, e := range spec {
			energy += e
		}
		for i := range len(x) / d {
			enstrophy += fs.Enstrophy(x[i*d:(i+1)*d]) / float64(len(x)/d)
		}
		return spec, energy, enstrophy
	}
	ss, se, sz := stats(sampled)
	ds, de, dz := stats(ref)
	return &FieldCheck{SpectrumError: metrics.SpectrumError(ss, ds, len(ss)/2),
		SampleEnergy: se, DataEnergy: de, SampleEnstrophy: sz, DataEnstrophy: dz}
}

func writeTrainOutputs(env *stage.Env, m nets.Model, file NetworkFile, curve []training.Point, check trainCheck) error {
	var members []artifacts.NamedArray
	for _, p := range m.Params() {
		members = append(members, artifacts.NamedArray{Name: p.Name, Array: artifacts.NewFloat32(p.Shape, p.Data)})
	}
	if err := env.WriteNPZ("weights", members); err != nil {
		return err
	}
	if err := env.WriteJSON("network", file); err != nil {
		return err
	}
	steps := make([]int64, len(curve))
	lr, tl, vl := make([]float64, len(curve)), make([]float64, len(curve)), make([]float64, len(curve))
	xs := make([]float64, len(curve))
	for i, pt := range curve {
		steps[i], lr[i], tl[i], vl[i], xs[i] = int64(pt.Step), pt.LR, pt.TrainLoss, pt.ValidLoss, float64(pt.Step)
	}
	err := env.WriteArrow("losses", artifacts.Table{Columns: []artifacts.Column{
		{Name: "step", Data: steps}, {Name: "lr", Data: lr},
		{Name: "train_loss", Data: tl}, {Name: "valid_loss", Data: vl},
	}})
	if err != nil {
		return err
	}
	png, err := plots.Lines(env.Addr+": denoising loss", "step", "mean squared ε error", true,
		plots.Series{Name: "train", X: xs, Y: tl}, plots.Series{Name: "valid", X: xs, Y: vl})
	if err != nil {
		return err
	}
	if err := env.WriteBytes("curve", png); err != nil {
		return err
	}
	return env.WriteJSON("check", check)
}
