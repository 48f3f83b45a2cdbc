package stages

import (
	"context"
	"fmt"
	"time"

	"sdapipe/artifacts"
	"sdapipe/diffusion"
	"sdapipe/nets/resmlp"
	"sdapipe/nn"
	"sdapipe/plots"
	"sdapipe/stage"
	"sdapipe/training"
)

// NetworkConfig is the train stage's network output: everything needed to
// rebuild the network from its weights.
type NetworkConfig struct {
	Architecture string  `json:"architecture"` // "resmlp"
	Window       int     `json:"window"`       // 2k+1 states per local window
	StateDim     int     `json:"state_dim"`
	Features     int     `json:"features"`
	Width        int     `json:"width"`
	Depth        int     `json:"depth"`
	Embed        int     `json:"embed"`
	EmbedHidden  int     `json:"embed_hidden"`
	Freqs        int     `json:"freqs"`
	Schedule     string  `json:"schedule"` // "vp-cosine"
	Eta          float64 `json:"eta"`
	Parameters   int     `json:"parameters"`
}

// NN returns the nn configuration.
func (c NetworkConfig) NN() resmlp.Config {
	return resmlp.Config{Features: c.Features, Width: c.Width, Depth: c.Depth, Embed: c.Embed, EmbedHidden: c.EmbedHidden, Freqs: c.Freqs}
}

// Train fits the local score network by denoising score matching.
var Train = &stage.Kind{
	Name:    "train",
	Version: 1,
	Doc:     "train a local score network on windows of the simulated trajectories",
	Params: []stage.ParamSpec{
		{Name: "data", Type: stage.RefParam, RefKinds: []string{"simulate"}, Uses: []string{"train", "valid", "system"},
			Doc: "the simulate stage whose train and valid splits are used"},
		{Name: "window", Type: stage.Int, Default: int64(5), Min: stage.Bound(3), Max: stage.Bound(17),
			Doc: "states per local window, 2k+1 (odd)"},
		{Name: "width", Type: stage.Int, Default: int64(256), Min: stage.Bound(8), Max: stage.Bound(4096), Doc: "hidden width W of the residual MLP"},
		{Name: "depth", Type: stage.Int, Default: int64(5), Min: stage.Bound(1), Max: stage.Bound(64), Doc: "residual blocks at width W"},
		{Name: "embed", Type: stage.Int, Default: int64(32), Min: stage.Bound(1), Max: stage.Bound(1024), Doc: "size E of the time embedding"},
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
	Run: runTrain,
}

// readSplit reads one split of a simulate stage as a training dataset.
func readSplit(env *stage.Env, param, name string) (training.Dataset, error) {
	a, err := env.ReadArray(param, name, nil)
	if err != nil {
		return training.Dataset{}, err
	}
	x, err := a.Float32()
	if err != nil {
		return training.Dataset{}, fmt.Errorf("%s: %w", name, err)
	}
	return training.Dataset{Data: x, N: a.Shape[0], L: a.Shape[1], D: a.Shape[2]}, nil
}

func runTrain(ctx context.Context, env *stage.Env) error {
	p := env.Params
	train, err := readSplit(env, "data", "train")
	if err != nil {
		return err
	}
	valid, err := readSplit(env, "data", "valid")
	if err != nil {
		return err
	}
	window := p.Int("window")
	if window > train.L || window > valid.L {
		return fmt.Errorf("window %d is longer than the trajectories (%d states)", window, min(train.L, valid.L))
	}
	sys, err := systemOf(env, "data")
	if err != nil {
		return err
	}
	netCfg := NetworkConfig{
		Architecture: "resmlp", Window: window, StateDim: train.D, Features: window * train.D,
		Width: p.Int("width"), Depth: p.Int("depth"), Embed: p.Int("embed"), EmbedHidden: 256, Freqs: 16,
		Schedule: "vp-cosine", Eta: p.Float("eta"),
	}
	net, err := resmlp.NewNet(netCfg.NN(), env.RNG("init"))
	if err != nil {
		return err
	}
	netCfg.Parameters = nn.NumParams(net.Params())
	sched := diffusion.VPCosine{Eta: netCfg.Eta}
	opt := training.Options{
		Window: window, Batch: p.Int("batch"), Steps: p.Int("steps"),
		LR: p.Float("lr"), WeightDecay: p.Float("weight_decay"),
		ValidEvery: p.Int("valid_every"), ValidWindows: p.Int("valid_windows"), Sched: sched,
	}
	log := env.Logger()
	log.Info("training", "parameters", netCfg.Parameters, "steps", opt.Steps, "batch", opt.Batch, "window", window)
	bar := env.StartProgress("train", int64(opt.Steps))
	start := time.Now()
	curve, err := training.Train(ctx, net, train, valid, opt, env.RNG("batches"), env.RNG("valid"),
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

	check, err := training.Check(ctx, net, sys, sched, window, p.Int("check_samples"), p.Int("check_steps"), env.RNG("check"))
	if err != nil {
		return err
	}
	log.Info("unconditional check", "mean_log_density", fmt.Sprintf("%.3f", check.MeanLogDensity),
		"median", fmt.Sprintf("%.3f", check.MedianLogDensity), "perfect_model", fmt.Sprintf("%.3f", check.ExpectedTrue))
	return writeTrainOutputs(env, net, netCfg, curve, check)
}

func writeTrainOutputs(env *stage.Env, net *resmlp.Net, cfg NetworkConfig, curve []training.Point, check training.CheckResult) error {
	var members []artifacts.NamedArray
	for _, p := range net.Params() {
		members = append(members, artifacts.NamedArray{Name: p.Name, Array: artifacts.NewFloat32(p.Shape, p.Data)})
	}
	if err := env.WriteNPZ("weights", members); err != nil {
		return err
	}
	if err := env.WriteJSON("network", cfg); err != nil {
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
