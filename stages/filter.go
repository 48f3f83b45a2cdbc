package stages

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"sdapipe/artifacts"
	"sdapipe/dynamics"
	"sdapipe/filters"
	"sdapipe/internal/floats"
	"sdapipe/stage"
)

// newFilter returns the filter kind, which runs the bootstrap particle filter of docs/method.md §6.1 on every
// observation set of an observe stage, twice with independent streams:
// the first run is the ground-truth posterior, the second the independent
// sample that W1 is measured against (so that the filter's own W1 is the
// finite-sample floor).
func newFilter(c *Catalog) *stage.Kind {
	return &stage.Kind{
		Name:    "filter",
		Version: 1,
		Doc:     "ground-truth posteriors by the bootstrap particle filter, two independent runs",
		Params: []stage.ParamSpec{
			{Name: "observations", Type: stage.RefParam, RefKinds: []string{"observe"}, Uses: []string{"observations", "operator", "system"},
				Doc: "the observe stage to filter"},
			{Name: "particles", Type: stage.Int, Default: int64(filters.DefaultParticles), Min: stage.Bound(2), Max: stage.Bound(1 << 24),
				Doc: "particles M"},
			{Name: "burn_in", Type: stage.Int, Default: int64(filters.DefaultBurnIn), Min: stage.Bound(0), Max: stage.Bound(1 << 20),
				Doc: "transitions from the prior draw before the filter starts; the first observed state comes step transitions later"},
			{Name: "keep", Type: stage.Int, Default: int64(filters.DefaultKeep), Min: stage.Bound(1), Max: stage.Bound(1 << 20),
				Doc: "paths kept per run"},
		},
		Outputs: []stage.OutputSpec{
			{Name: "reference", Schema: "posterior", Doc: "first run: the ground-truth posterior"},
			{Name: "second", Schema: "posterior", Doc: "second, independent run"},
			{Name: "summary", Schema: "filtersummary", Doc: "effective sample sizes and evidence per run and observation set"},
		},
		Check: func(p *stage.Params) []stage.ParamError {
			if p.Int("keep") > p.Int("particles") {
				return []stage.ParamError{{Param: "keep", Detail: fmt.Sprintf("keep (%d) cannot exceed particles (%d).", p.Int("keep"), p.Int("particles"))}}
			}
			return nil
		},
		CheckGraph: func(p *stage.Params, refs stage.Resolver) []stage.ParamError {
			_, op, ok := refs("observations")
			if !ok {
				return nil
			}
			if errs := needsChain(p, op, "the particle filter"); errs != nil {
				return errs
			}
			times, err := observeTimes(op, op.Int("length"))
			if err != nil {
				return nil // the observe stage reports it
			}
			if _, _, err := regularTimes(times, op.Int("length")); err != nil {
				return []stage.ParamError{{Param: "observations", Detail: err.Error()}}
			}
			return nil
		},
		Run: func(ctx context.Context, env *stage.Env) error { return runFilter(ctx, env, c) },
	}
}

// regularTimes checks that observations fall on every step-th state from
// the first to the last, as the filter's recursion needs, and returns the
// step and number of observed times.
func regularTimes(times []int, length int) (step, obs int, err error) {
	bad := fmt.Errorf("the particle filter needs observations at evenly spaced states from the first (0) to the last (%d); got times %v", length-1, times)
	if len(times) == 0 || times[0] != 0 || times[len(times)-1] != length-1 {
		return 0, 0, bad
	}
	if len(times) == 1 {
		return 1, 1, nil
	}
	step = times[1] - times[0]
	for i := 1; i < len(times); i++ {
		if times[i]-times[i-1] != step || step < 1 {
			return 0, 0, bad
		}
	}
	return step, len(times), nil
}

// needsChain reports, for a stage whose observations parameter names an
// observe stage of parameters op, that the observed data were read from a
// file and so have no transition density, which who needs; nil otherwise.
func needsChain(p, op *stage.Params, who string) []stage.ParamError {
	data := op.Ref("data")
	if !strings.HasPrefix(data, "dataset.") {
		return nil
	}
	return []stage.ParamError{{Param: "observations", Detail: fmt.Sprintf(
		"%s observes %s, trajectories read from a file: %s needs the transition density of a system sdapipe simulates, which they have not. Evaluate SDA posteriors without a reference (RMSE, spread, CRPS and residuals need none).",
		p.Ref("observations"), data, who)}}
}

// FilterSummary is the filter stage's summary output.
type FilterSummary struct {
	Particles   int         `json:"particles"`
	Keep        int         `json:"keep"`
	MinESS      [][]float64 `json:"min_ess"`      // [run][observation set]
	LogEvidence [][]float64 `json:"log_evidence"` // [run][observation set]
}

// chainOf rebuilds the system behind an observe stage's data and returns
// its stochastic chain, or an error naming the system when it has none.
func (c *Catalog) chainOf(env *stage.Env, param, who string) (dynamics.System, error) {
	sys, info, err := c.systemOf(env, param)
	if err != nil {
		return nil, err
	}
	ch := sys.Chain()
	if ch == nil {
		return nil, fmt.Errorf("%s needs a system with a transition density; %s has none", who, info.Name)
	}
	return ch, nil
}

func runFilter(ctx context.Context, env *stage.Env, c *Catalog) error {
	p := env.Params
	sys, err := c.chainOf(env, "observations", "the particle filter")
	if err != nil {
		return err
	}
	op, info, err := operatorOf(env, "observations")
	if err != nil {
		return err
	}
	length, dim := op.Shape()
	step, nTimes, err := regularTimes(info.Operator.Times, length)
	if err != nil {
		return err
	}
	if info.Noise <= 0 {
		return errors.New("the particle filter needs observation noise > 0")
	}
	yArr, err := env.ReadArray("observations", "observations", map[string]int{"value": op.Outputs()})
	if err != nil {
		return err
	}
	y, _ := yArr.Float32()
	nObs, m := yArr.Shape[0], op.Outputs()
	keep := p.Int("keep")
	runs := [2][]float32{make([]float32, nObs*keep*length*dim), make([]float32, nObs*keep*length*dim)}
	sum := FilterSummary{Particles: p.Int("particles"), Keep: keep, MinESS: make([][]float64, 2), LogEvidence: make([][]float64, 2)}
	bar := env.StartProgress("filter", int64(2*nObs))
	defer bar.Done()
	for r := range 2 {
		for o := range nObs {
			if err := ctx.Err(); err != nil {
				return err
			}
			ll, err := filters.ObservationLogLik(sys, info.Operator, y[o*m:(o+1)*m], info.Noise)
			if err != nil {
				return err
			}
			cfg := filters.Config{Particles: p.Int("particles"), BurnIn: p.Int("burn_in"), Step: step, Obs: nTimes, Keep: keep,
				Seed: env.StreamUint64(fmt.Sprintf("run %d set %d", r, o))}
			res, err := filters.BPF(sys, cfg, ll)
			if err != nil {
				return fmt.Errorf("observation set %d: %w", o, err)
			}
			floats.Copy32(runs[r][o*keep*length*dim:(o+1)*keep*length*dim], res.Paths)
			minESS := math.Inf(1)
			for _, e := range res.ESS {
				minESS = math.Min(minESS, e)
			}
			sum.MinESS[r] = append(sum.MinESS[r], minESS)
			sum.LogEvidence[r] = append(sum.LogEvidence[r], res.LogEvidence)
			bar.Add(1)
		}
	}
	shape := []int{nObs, keep, length, dim}
	if err := env.WriteArray("reference", artifacts.NewFloat32(shape, runs[0]), nil); err != nil {
		return err
	}
	if err := env.WriteArray("second", artifacts.NewFloat32(shape, runs[1]), nil); err != nil {
		return err
	}
	return env.WriteJSON("summary", sum)
}
