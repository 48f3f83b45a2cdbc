package stages

import (
	"context"
	"fmt"
	"math/rand/v2"

	"sdapipe/artifacts"
	"sdapipe/assim"
	"sdapipe/dynamics"
	"sdapipe/internal/floats"
	"sdapipe/optim"
	"sdapipe/stage"
)

// newAssimilate returns the assimilate kind: classical data assimilation
// of the same observation sets that SDA conditions on, so that evaluate
// scores both alike (docs/method.md §6.2). Methods: the ensemble Kalman
// smoother (EnKS, square-root or perturbed-observation updates, with
// inflation and rotation), and 4D-Var over the window (weak- or
// strong-constraint, a climatological background, L-BFGS) with a Laplace
// ensemble around its optimum. Each set is assimilated independently, in
// parallel, from its own random stream.
func newAssimilate(c *Catalog) *stage.Kind {
	return &stage.Kind{
		Name:    "assimilate",
		Version: 1,
		Doc:     "classical data assimilation (EnKS, 4D-Var) of an observe stage's sets, for evaluation beside SDA",
		Params: []stage.ParamSpec{
			{Name: "observations", Type: stage.RefParam, RefKinds: []string{"observe"}, Uses: []string{"observations", "operator", "system"},
				Doc: "the observe stage whose observation sets are assimilated"},
			{Name: "method", Type: stage.String, Default: "enks", Choices: []string{"enks", "var4d"},
				Doc: "enks: the ensemble Kalman smoother; var4d: variational assimilation over the window, with a Laplace ensemble"},
			{Name: "members", Type: stage.Int, Default: int64(64), Min: stage.Bound(2), Max: stage.Bound(1 << 16),
				Doc: "ensemble members (EnKS) or Laplace samples (4D-Var) per observation set"},
		},
		Blocks: []stage.BlockSpec{
			{Name: "enks", Variant: "method", Doc: "settings of the ensemble Kalman smoother", Params: []stage.ParamSpec{
				{Name: "update", Type: stage.String, Default: "sqrt", Choices: []string{"sqrt", "pertobs"},
					Doc: "sqrt: the square-root (ETKF) analysis; pertobs: perturbed observations"},
				{Name: "inflation", Type: stage.Float, Default: 1.02, Min: stage.Bound(1), Max: stage.Bound(10),
					Doc: "multiplicative inflation of the analysis anomalies"},
				{Name: "rotate", Type: stage.Bool, Default: true, Doc: "mean-preserving random rotation after each analysis"},
				{Name: "burn_in", Type: stage.Int, Default: int64(64), Min: stage.Bound(0), Max: stage.Bound(1 << 20),
					Doc: "transitions from the prior draw to the initial ensemble, as the particle filter's"},
			}},
			{Name: "var4d", Variant: "method", Doc: "settings of 4D-Var", Params: []stage.ParamSpec{
				{Name: "weak", Type: stage.Bool, Default: true,
					Doc: "weak-constraint (model error from the transition noise) after the strong-constraint pass"},
				{Name: "grad_tol", Type: stage.Float, Default: 1e-3, Min: stage.Bound(0), Doc: "L-BFGS gradient tolerance"},
				{Name: "max_iter", Type: stage.Int, Default: int64(2000), Min: stage.Bound(1), Doc: "L-BFGS iterations per run"},
				{Name: "climatology", Type: stage.Int, Default: int64(10000), Min: stage.Bound(10),
					Doc: "states drawn from the attractor for the background's mean and covariance"},
			}},
		},
		Outputs: []stage.OutputSpec{
			{Name: "posterior", Schema: "posterior", Doc: "the posterior ensemble of each observation set, physical units"},
			{Name: "settings", Schema: "settings", Doc: "the method and its settings"},
		},
		CheckGraph: func(p *stage.Params, refs stage.Resolver) []stage.ParamError {
			if _, op, ok := refs("observations"); ok {
				return needsChain(p, op, "classical assimilation")
			}
			return nil
		},
		Run: func(ctx context.Context, env *stage.Env) error { return runAssimilate(ctx, env, c) },
	}
}

// AssimilateSettings is the assimilate stage's settings output.
type AssimilateSettings struct {
	Method  string         `json:"method"`
	Members int            `json:"samples"`
	Options map[string]any `json:"options"`
	Observe string         `json:"observations"`
}

func runAssimilate(ctx context.Context, env *stage.Env, c *Catalog) error {
	p := env.Params
	ch, err := c.chainOf(env, "observations", "classical assimilation")
	if err != nil {
		return err
	}
	op, info, err := operatorOf(env, "observations")
	if err != nil {
		return err
	}
	yArr, err := env.ReadArray("observations", "observations", map[string]int{"value": op.Outputs()})
	if err != nil {
		return err
	}
	y, _ := yArr.Float32()
	nObs, m := yArr.Shape[0], op.Outputs()
	length, d := op.Shape()
	n, method := p.Int("members"), p.String("method")
	b := p.Block(method)
	run, err := assimilator(method, b, ch, length, env.RNG("climatology"))
	if err != nil {
		return err
	}
	std, ok := ch.(assim.Standardizer)
	if !ok {
		return fmt.Errorf("the system's observations are standardised in a way classical assimilation cannot invert")
	}
	post := make([]float64, nObs*n*length*d)
	bar := env.StartProgress("assimilate", int64(nObs))
	defer bar.Done()
	err = assim.RunSets(nObs, env.StreamUint64("sets"), func(o int, rng *rand.Rand) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		obs, err := assim.FromDescription(info.Operator, floats.To64(y[o*m:(o+1)*m]), info.Noise, std)
		if err != nil {
			return fmt.Errorf("observation set %d: %w", o, err)
		}
		if err := run(post[o*n*length*d:(o+1)*n*length*d], obs, rng); err != nil {
			return fmt.Errorf("observation set %d: %w", o, err)
		}
		bar.Add(1)
		return nil
	})
	if err != nil {
		return err
	}
	sizes := map[string]int{"observation": nObs, "sample": n, "time": length}
	if err := env.WriteArray("posterior", artifacts.NewFloat32([]int{nObs, n, length, d}, floats.To32(post)), sizes, d); err != nil {
		return err
	}
	return env.WriteJSON("settings", AssimilateSettings{Method: method, Members: n, Options: b.Settings(),
		Observe: env.Inputs["observations"].Addr})
}

// assimilator returns the per-set function of a method: it writes the
// posterior ensemble (n, L, D) of one observation set into dst.
func assimilator(method string, b *stage.Params, ch dynamics.System, length int, rng *rand.Rand) (func(dst []float64, obs *assim.Observations, rng *rand.Rand) error, error) {
	switch method {
	case "var4d":
		tm, ok := ch.(assim.TangentModel)
		if !ok {
			return nil, fmt.Errorf("4D-Var needs the adjoint of the model, which this system does not give")
		}
		mean, cov := assim.Climatology(ch, 1000, b.Int("climatology"), rng)
		bg, err := assim.NewBackground(mean, cov)
		if err != nil {
			return nil, fmt.Errorf("climatological background: %w", err)
		}
		cfg := assim.Var4DConfig{Weak: b.Bool("weak"), Settings: optim.Settings{GradTol: b.Float("grad_tol"), MaxIter: b.Int("max_iter")}}
		return func(dst []float64, obs *assim.Observations, rng *rand.Rand) error {
			_, _, err := assim.Var4DWindow(dst, length, tm, bg, obs, cfg, rng)
			return err
		}, nil
	default:
		cfg := assim.EnKFConfig{Update: assim.Sqrt, Inflation: b.Float("inflation"), Rotate: b.Bool("rotate")}
		if b.String("update") == "pertobs" {
			cfg.Update = assim.PertObs
		}
		burnIn := b.Int("burn_in")
		d := dynamics.StateSize(ch)
		return func(dst []float64, obs *assim.Observations, rng *rand.Rand) error {
			return assim.SmoothWindow(dst, len(dst)/(length*d), length, ch, burnIn, obs, cfg, rng)
		}, nil
	}
}
