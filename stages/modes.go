package stages

import (
	"context"
	"fmt"

	"sdapipe/artifacts"
	"sdapipe/assim"
	"sdapipe/internal/floats"
	"sdapipe/optim"
	"sdapipe/plots"
	"sdapipe/stage"
)

// newModes returns the modes kind: the multi-modal demo of docs/method.md
// §4.3. Weak-constraint 4D-Var, started from each SDA sample of a sample
// stage (its background on the sample's own first state), descends to a
// mode of the posterior; near-duplicate optima are merged, and what
// remains are the modes, drawn with their fit to the observations.
func newModes(c *Catalog) *stage.Kind {
	return &stage.Kind{
		Name:    "modes",
		Version: 1,
		Doc:     "posterior modes by weak-constraint 4D-Var started from SDA samples (the paper's multi-modal demo)",
		Params: []stage.ParamSpec{
			{Name: "observations", Type: stage.RefParam, RefKinds: []string{"observe"}, Uses: []string{"observations", "operator", "system", "truth"},
				Doc: "the observe stage whose sets the modes explain"},
			{Name: "starts", Type: stage.RefParam, RefKinds: []string{"sample"}, Uses: []string{"posterior"},
				Doc: "the sample stage whose samples start the searches"},
			{Name: "threshold", Type: stage.Float, Default: 10.0, Min: stage.Bound(0),
				Doc: "squared distance (physical units, whole trajectory) under which two optima are one mode"},
			{Name: "background_var", Type: stage.Float, Default: 0.5, Min: stage.Bound(1e-9),
				Doc: "variance b of the background N(x_b, b·I) on each start's first state; ‖x_1 − x_b‖² is b = ½"},
			{Name: "max_iter", Type: stage.Int, Default: int64(320), Min: stage.Bound(1), Doc: "L-BFGS iterations per search"},
		},
		Outputs: []stage.OutputSpec{
			{Name: "optima", Schema: "posterior", Doc: "the optimum each start reached, (observation, start, time, state), physical units"},
			{Name: "summary", Schema: "modesummary", Doc: "per observation set: each optimum's cost and the indices of the distinct modes"},
			{Name: "figure", Schema: "figure", Doc: "the modes of the first observation set, with the starts, the truth and the observations"},
		},
		CheckGraph: func(p *stage.Params, refs stage.Resolver) []stage.ParamError {
			if _, op, ok := refs("observations"); ok {
				if errs := needsChain(p, op, "the mode search"); errs != nil {
					return errs
				}
			}
			if _, sp, ok := refs("starts"); ok && sp.Ref("observations") != p.Ref("observations") {
				return []stage.ParamError{{Param: "starts", Detail: fmt.Sprintf(
					"%s samples given %s, but the modes are sought for %s; start from samples of the same observations.",
					p.Ref("starts"), sp.Ref("observations"), p.Ref("observations"))}}
			}
			return nil
		},
		Run: func(ctx context.Context, env *stage.Env) error { return runModes(ctx, env, c) },
	}
}

// ModeSummary is the modes stage's summary: for each observation set, the
// cost each start's optimum reached and the distinct modes among them, in
// order of increasing cost.
type ModeSummary struct {
	Costs [][]float64 `json:"costs"`
	Modes [][]int     `json:"modes"`
}

func runModes(ctx context.Context, env *stage.Env, c *Catalog) error {
	p := env.Params
	ch, err := c.chainOf(env, "observations", "the mode search")
	if err != nil {
		return err
	}
	tm, ok := ch.(assim.TangentModel)
	if !ok {
		return fmt.Errorf("the mode search runs 4D-Var, which needs the adjoint of the model; this system has none")
	}
	std, _ := ch.(assim.Standardizer)
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
	starts, err := env.ReadArray("starts", "posterior", map[string]int{"observation": nObs, "time": length}, d)
	if err != nil {
		return err
	}
	x0, _ := starts.Float32()
	k := starts.Shape[1]
	size := length * d
	optima := make([]float32, nObs*k*size)
	sum := ModeSummary{}
	search := assim.ModeSearch{BackgroundVar: p.Float("background_var"), Threshold: p.Float("threshold"),
		Settings: optim.Settings{MaxIter: p.Int("max_iter")}}
	bar := env.StartProgress("modes", int64(nObs))
	defer bar.Done()
	for o := range nObs {
		if err := ctx.Err(); err != nil {
			return err
		}
		obs, err := assim.FromDescription(info.Operator, floats.To64(y[o*m:(o+1)*m]), info.Noise, std)
		if err != nil {
			return fmt.Errorf("observation set %d: %w", o, err)
		}
		opt, costs, modes, err := assim.FindModes(tm, obs, floats.To64(x0[o*k*size:(o+1)*k*size]), length, search)
		if err != nil {
			return fmt.Errorf("observation set %d: %w", o, err)
		}
		floats.Copy32(optima[o*k*size:(o+1)*k*size], opt)
		sum.Costs, sum.Modes = append(sum.Costs, costs), append(sum.Modes, modes)
		env.Logger().Info("modes", "set", o, "starts", k, "distinct", len(modes))
		bar.Add(1)
	}
	sizes := map[string]int{"observation": nObs, "sample": k, "time": length}
	if err := env.WriteArray("optima", artifacts.NewFloat32([]int{nObs, k, length, d}, optima), sizes, d); err != nil {
		return err
	}
	if err := env.WriteJSON("summary", sum); err != nil {
		return err
	}
	var truth []float32
	if _, ok := env.Inputs["observations"].Outputs["truth"]; ok {
		t, err := env.ReadArray("observations", "truth", nil, d)
		if err != nil {
			return err
		}
		x, _ := t.Float32()
		truth = x[:size]
	}
	png, err := modesFigure(env.Addr, info, c, env, y[:m], x0[:k*size], optima[:k*size], sum.Costs[0], sum.Modes[0], truth, length, d)
	if err != nil {
		return fmt.Errorf("figure: %w", err)
	}
	return env.WriteBytes("figure", png)
}

// modesFigure draws one panel per state variable: the starts faintly, each
// mode in its own colour, the truth and the observations.
func modesFigure(addr string, info OperatorInfo, c *Catalog, env *stage.Env, y, starts, optima []float32, costs []float64, modes []int,
	truth []float32, length, d int) ([]byte, error) {
	sys, _, err := c.systemOf(env, "observations")
	if err != nil {
		return nil, err
	}
	st := sys.Standardization()
	desc := info.Operator
	var panels []plots.Panel
	for v := range d {
		pn := plots.Panel{Title: fmt.Sprintf("state variable %d", v)}
		ens := plots.Ensemble{Name: "SDA samples (starts)"}
		for s := range len(starts) / (length * d) {
			ens.Members = append(ens.Members, column(starts[s*length*d:(s+1)*length*d], v, d))
		}
		pn.Ensembles = append(pn.Ensembles, ens)
		for i, mi := range modes {
			pn.Ensembles = append(pn.Ensembles, plots.Ensemble{Name: fmt.Sprintf("mode %d (cost %.1f)", i+1, costs[mi]),
				Members: [][]float64{column(optima[mi*length*d:(mi+1)*length*d], v, d)}, Solid: true})
		}
		if truth != nil {
			pn.Truth = column(truth, v, d)
		}
		for i, t := range desc.Times {
			for j, ov := range desc.Vars {
				if ov == v {
					pn.ObsT = append(pn.ObsT, float64(t))
					pn.ObsY = append(pn.ObsY, float64(y[i*len(desc.Vars)+j])*st.Scale[v]+st.Mean[v])
				}
			}
		}
		panels = append(panels, pn)
	}
	return plots.Panels(fmt.Sprintf("%s: %d modes from %d starts", addr, len(modes), len(costs)), panels)
}
