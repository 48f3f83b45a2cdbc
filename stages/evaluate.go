package stages

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"sdapipe/artifacts"
	"sdapipe/internal/floats"
	"sdapipe/metrics"
	"sdapipe/plots"
	"sdapipe/stage"
)

// newEvaluate returns the evaluate kind, which scores posteriors per
// observation set with the metrics of docs/method.md §6.2 where they
// apply: expected log-prior (when the system has a transition density),
// expected log-likelihood, W1 by exact optimal transport against the
// filter's second run (when a reference filter stage is given), RMSE of
// the posterior mean to the truth and the ensemble spread; and with those
// that need no transition density: the spread–error ratio, the CRPS and
// the standard deviation of the residuals A(x) − y, against σ_y. The
// filter's first run is scored the same way (its W1 is the finite-sample
// floor), and so is the truth. The summary says which metrics it left out
// and why.
func newEvaluate(c *Catalog) *stage.Kind {
	return &stage.Kind{
		Name: "evaluate",
		// Version 2: rows resid_std, spread_error and crps for every
		// system, the summary's omitted field, reference optional.
		// Version 3: the fields figure draws each observation where it
		// lies (a crop in its place, not stretched over the field).
		Version: 3,
		Doc:     "score posteriors against the truth, the observations and, when given, the particle filter; tables and figures",
		Params: []stage.ParamSpec{
			{Name: "observations", Type: stage.RefParam, RefKinds: []string{"observe"}, Uses: []string{"observations", "operator", "system", "truth"},
				Doc: "the observe stage the posteriors condition on"},
			{Name: "reference", Type: stage.RefParam, Optional: true, RefKinds: []string{"filter"}, Uses: []string{"reference", "second"},
				Doc: "the filter stage giving the ground truth; without it there is no W1"},
			{Name: "posteriors", Type: stage.RefList, RefKinds: []string{"sample", "assimilate"}, Uses: []string{"posterior", "settings"},
				Doc: "the sample (and assimilate) stages to score, e.g. [sample.lo_c0, sample.lo_c1, assimilate.lo_enks]"},
			{Name: "w1_full", Type: stage.Bool, Default: true,
				Doc: "also compute W1 between the two filter runs at their full size (1024 paths: about a second per set)"},
			{Name: "physics_samples", Type: stage.Int, Default: int64(4), Min: stage.Bound(1), Max: stage.Bound(1 << 16),
				Doc: "fields: samples per stage and set re-simulated with the true dynamics for the physics check"},
		},
		Outputs: []stage.OutputSpec{
			{Name: "metrics", Schema: "metrics", Doc: "every metric of every stage and observation set"},
			{Name: "summary", Schema: "summary", Doc: "medians over observation sets, and the metrics left out"},
			{Name: "figure", Schema: "figure", Doc: "median metrics against corrections C, one line per window"},
			{Name: "trajectories", Schema: "figure", Doc: "first observation set: SDA ensemble, the filter's if given, truth, observations"},
			{Name: "states", Schema: "statemetrics", Optional: true,
				Doc: "fields: per state, the posterior mean's RMSE to the truth and the re-simulation's error (physics)"},
			{Name: "spectra", Schema: "spectra", Optional: true, Doc: "fields: mean energy spectrum of each posterior and of the truth"},
			{Name: "fields", Schema: "figure", Optional: true,
				Doc: "fields: vorticity over time of the truth, the observations and each posterior's first sample"},
		},
		CheckGraph: checkEvaluate,
		Run:        func(ctx context.Context, env *stage.Env) error { return runEvaluate(ctx, env, c) },
	}
}

// checkEvaluate makes sure every posterior and the filter condition on the
// evaluated observe stage.
func checkEvaluate(p *stage.Params, refs stage.Resolver) []stage.ParamError {
	want := p.Ref("observations")
	var errs []stage.ParamError
	if _, fp, ok := refs("reference"); ok && fp.Ref("observations") != want {
		errs = append(errs, stage.ParamError{Param: "reference", Detail: fmt.Sprintf(
			"%s filters %s, but this stage evaluates %s; use a filter stage of the same observations.", p.Ref("reference"), fp.Ref("observations"), want)})
	}
	for i, key := range p.RefList("posteriors") {
		if _, sp, ok := refs(key); ok && sp.Ref("observations") != want {
			errs = append(errs, stage.ParamError{Param: "posteriors", Detail: fmt.Sprintf(
				"%s samples given %s, but this stage evaluates %s; every posterior must condition on the same observations.",
				p.Values["posteriors"].Refs[i], sp.Ref("observations"), want)})
		}
	}
	return errs
}

// StageSummary is one stage's entry in the summary output. Omitted, on
// posteriors, maps each metric the evaluation left out to the reason.
type StageSummary struct {
	Stage    string            `json:"stage"`
	Role     string            `json:"role"`             // "posterior", "baseline" (classical assimilation), "filter" or "truth"
	Method   string            `json:"method,omitempty"` // a baseline's method
	Settings *Settings         `json:"settings,omitempty"`
	Medians  map[string]Number `json:"medians"`
	Omitted  map[string]string `json:"omitted,omitempty"`
}

// A Number is a float64 that encodes as JSON null when it is not finite
// (a diverged sample can make a log-density −Inf, which JSON cannot
// hold); the metrics table keeps the exact value.
type Number float64

// MarshalJSON implements json.Marshaler.
func (n Number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// scorer is the metrics scorer of the evaluated observe stage, with what
// the stage needs besides: the state's sizes, whether a reference filter
// stage was given, and the metrics left out with the reason.
type scorer struct {
	metrics.Scorer
	sys            DataSystem
	nObs           int
	length, dim, m int
	state          []int
	filter         string // the reference filter stage's address, or ""
	omitted        map[string]string
}

type posterior struct {
	addr     string
	x        []float32
	samples  int
	settings Settings
	method   string // a classical method; "" for SDA
}

func runEvaluate(ctx context.Context, env *stage.Env, c *Catalog) error {
	s, err := newScorer(env, c)
	if err != nil {
		return err
	}
	var reference []float32
	if s.filter != "" {
		refArr, err := env.ReadArray("reference", "reference", map[string]int{"observation": s.nObs, "time": s.length}, s.state...)
		if err != nil {
			return err
		}
		reference, _ = refArr.Float32()
	}
	var posts []posterior
	for _, key := range env.Params.RefList("posteriors") {
		a, err := env.ReadArray(key, "posterior", map[string]int{"observation": s.nObs, "time": s.length}, s.state...)
		if err != nil {
			return err
		}
		x, _ := a.Float32()
		pst := posterior{addr: env.Inputs[key].Addr, x: x, samples: a.Shape[1]}
		var set struct {
			Settings
			Method string `json:"method"`
		}
		if err := env.ReadJSON(key, "settings", &set); err != nil {
			return err
		}
		pst.settings, pst.method = set.Settings, set.Method
		posts = append(posts, pst)
	}
	ev := s.length * s.dim
	withW1 := s.filter != ""
	var fe *fieldEval
	if fs, ok := s.sys.(fieldSystem); ok && len(s.state) == 3 {
		fe = &fieldEval{sys: fs, samples: env.Params.Int("physics_samples"), truthSpecOf: map[int][]float64{}}
	}
	var rows []metrics.Row
	bar := env.StartProgress("evaluate", int64(s.nObs))
	for o := range s.nObs {
		if err := ctx.Err(); err != nil {
			return err
		}
		floorN := s.Keep
		for _, pst := range posts {
			ens := pst.x[o*pst.samples*ev : (o+1)*pst.samples*ev]
			r, err := s.Score(pst.addr, o, ens, pst.samples, withW1)
			if err != nil {
				return fmt.Errorf("%s, observation set %d: %w", pst.addr, o, err)
			}
			rows = append(rows, r...)
			if fe != nil {
				r, err := fe.score(s, pst.addr, o, ens, pst.samples)
				if err != nil {
					return fmt.Errorf("%s, observation set %d: %w", pst.addr, o, err)
				}
				rows = append(rows, r...)
			}
			floorN = min(floorN, pst.samples)
		}
		if withW1 {
			// The filter's first run, scored like a posterior at the
			// posteriors' sample count (its W1 is the floor for that many
			// samples).
			r, err := s.Score(s.filter, o, reference[o*s.Keep*ev:(o+1)*s.Keep*ev], floorN, true)
			if err != nil {
				return err
			}
			rows = append(rows, r...)
			if env.Params.Bool("w1_full") && s.Keep > floorN {
				a := floats.To64(reference[o*s.Keep*ev : (o+1)*s.Keep*ev])
				b := floats.To64(s.Second[o*s.Keep*ev : (o+1)*s.Keep*ev])
				w, err := metrics.W1(a, b, ev)
				if err != nil {
					return err
				}
				rows = append(rows, metrics.Row{Stage: s.filter, Observation: o, Metric: "w1_full", Value: w})
			}
		}
		if s.Truth != nil {
			r, err := s.Score("truth", o, s.Truth[o*ev:(o+1)*ev], 1, false)
			if err != nil {
				return err
			}
			rows = append(rows, r...)
			if fe != nil {
				r, err := fe.score(s, "truth", o, s.Truth[o*ev:(o+1)*ev], 1)
				if err != nil {
					return err
				}
				rows = append(rows, r...)
			}
		}
		bar.Add(1)
	}
	bar.Done()
	summary := summarise(rows, s.filter)
	for i := range summary {
		for _, pst := range posts {
			if pst.addr != summary[i].Stage {
				continue
			}
			if len(s.omitted) > 0 {
				summary[i].Omitted = s.omitted
			}
			if pst.method != "" {
				summary[i].Role, summary[i].Method = "baseline", pst.method
				continue
			}
			set := pst.settings
			summary[i].Settings = &set
		}
	}
	env.Logger().Info("medians over observation sets\n" + summaryText(summary, s.Noise, s.omitted))
	if err := env.WriteArrow("metrics", metricTable(rows)); err != nil {
		return err
	}
	if err := env.WriteJSON("summary", summary); err != nil {
		return err
	}
	png, err := metricsFigure(env.Addr, summary)
	if err != nil {
		return fmt.Errorf("figure: %w", err)
	}
	if err := env.WriteBytes("figure", png); err != nil {
		return err
	}
	if fe != nil {
		if err := fe.write(env); err != nil {
			return err
		}
		png, err := fieldsFigure(env.Addr+": vorticity of observation set 0", fe.sys, s, posts)
		if err != nil {
			return fmt.Errorf("fields figure: %w", err)
		}
		if err := env.WriteBytes("fields", png); err != nil {
			return err
		}
	}
	return writeEvaluateTrajectories(env, s, posts, reference)
}

// writeEvaluateTrajectories draws the first observation set: the SDA
// posterior with the most corrections (a baseline only when there is no
// SDA posterior), the filter's ensemble when there is one, the truth and
// the observations.
func writeEvaluateTrajectories(env *stage.Env, s *scorer, posts []posterior, reference []float32) error {
	ev := s.length * s.dim
	last := posts[len(posts)-1]
	for _, pst := range posts {
		if pst.method == "" && (last.method != "" || pst.settings.Corrections > last.settings.Corrections) {
			last = pst
		}
	}
	var ref *plots.Ensemble
	title := fmt.Sprintf("%s: observation set 0, %s (C = %d)", env.Addr, last.addr, last.settings.Corrections)
	if reference != nil {
		ref = &plots.Ensemble{Name: "particle filter"}
		for i := range min(s.Keep, figureMembers) {
			ref.Members = append(ref.Members, floats.To64(reference[i*ev:(i+1)*ev]))
		}
		title += " and the particle filter"
	}
	png, err := trajectoryFigure(title, s.Std, s.state, s.Op, s.Y[:s.m], last.x[:last.samples*ev], last.samples, truthOf(s.Truth, ev), ref)
	if err != nil {
		return fmt.Errorf("figure: %w", err)
	}
	return env.WriteBytes("trajectories", png)
}

func newScorer(env *stage.Env, c *Catalog) (*scorer, error) {
	sys, sysInfo, err := c.systemOf(env, "observations")
	if err != nil {
		return nil, err
	}
	op, info, err := operatorOf(env, "observations")
	if err != nil {
		return nil, err
	}
	length, dim := op.Shape()
	s := &scorer{Scorer: metrics.Scorer{Chain: sys.Chain(), Std: sys.Standardization(), Op: op, Noise: info.Noise}, sys: sys,
		length: length, dim: dim, m: op.Outputs(), state: info.StateShape(), omitted: map[string]string{}}
	if s.Chain == nil {
		s.omitted["log_prior"] = fmt.Sprintf("the system (%s) has no transition density to score trajectories under", sysInfo.Name)
	}
	yArr, err := env.ReadArray("observations", "observations", map[string]int{"value": s.m})
	if err != nil {
		return nil, err
	}
	s.Y, _ = yArr.Float32()
	s.nObs = yArr.Shape[0]
	if _, ok := env.Inputs["observations"].Outputs["truth"]; ok {
		t, err := env.ReadArray("observations", "truth", map[string]int{"observation": s.nObs, "time": length}, s.state...)
		if err != nil {
			return nil, err
		}
		s.Truth, _ = t.Float32()
	} else {
		for _, m := range []string{"rmse", "spread_error", "crps"} {
			s.omitted[m] = "the observations came from a file, so there is no truth to compare with"
		}
	}
	up, ok := env.Inputs["reference"]
	if !ok {
		why := "no reference filter stage was given"
		if s.Chain == nil {
			why = fmt.Sprintf("the system (%s) has no transition density, so no particle filter gives a reference", sysInfo.Name)
		}
		s.omitted["w1"] = why
		return s, nil
	}
	s.filter = up.Addr
	sec, err := env.ReadArray("reference", "second", map[string]int{"observation": s.nObs, "time": length}, s.state...)
	if err != nil {
		return nil, err
	}
	s.Second, _ = sec.Float32()
	s.Keep = sec.Shape[1]
	return s, nil
}

// summarise takes the median of each metric over observation sets, per
// stage, keeping the stages in order of first appearance.
func summarise(rows []metrics.Row, filterAddr string) []StageSummary {
	vals := map[string]map[string][]float64{}
	var order []string
	for _, r := range rows {
		if vals[r.Stage] == nil {
			vals[r.Stage] = map[string][]float64{}
			order = append(order, r.Stage)
		}
		vals[r.Stage][r.Metric] = append(vals[r.Stage][r.Metric], r.Value)
	}
	var out []StageSummary
	for _, st := range order {
		ss := StageSummary{Stage: st, Role: "posterior", Medians: map[string]Number{}}
		switch st {
		case filterAddr:
			ss.Role = "filter"
		case "truth":
			ss.Role = "truth"
		}
		for m, v := range vals[st] {
			ss.Medians[m] = Number(metrics.Median(v))
		}
		out = append(out, ss)
	}
	return out
}

func summaryText(summary []StageSummary, noise float64, omitted map[string]string) string {
	cols := []string{"log_prior", "log_lik", "w1", "w1_full", "rmse", "spread", "spread_error", "crps", "resid_std"}
	var present []string
	for _, c := range cols {
		for _, st := range summary {
			if _, ok := st.Medians[c]; ok {
				present = append(present, c)
				break
			}
		}
	}
	s := fmt.Sprintf("%-22s", "stage")
	for _, c := range present {
		s += fmt.Sprintf(" %12s", c)
	}
	for _, st := range summary {
		s += fmt.Sprintf("\n%-22s", st.Stage)
		for _, c := range present {
			if v, ok := st.Medians[c]; ok {
				s += fmt.Sprintf(" %12.4g", float64(v))
			} else {
				s += fmt.Sprintf(" %12s", "")
			}
		}
	}
	s += fmt.Sprintf("\nresid_std is the standard deviation of A(x) − y, standardised units; σ_y = %g", noise)
	names := make([]string, 0, len(omitted))
	for m := range omitted {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, m := range names {
		s += fmt.Sprintf("\nleft out %s: %s", m, omitted[m])
	}
	return s
}

func metricTable(rows []metrics.Row) artifacts.Table {
	stage, metric := make([]string, len(rows)), make([]string, len(rows))
	obs, val := make([]int64, len(rows)), make([]float64, len(rows))
	for i, r := range rows {
		stage[i], obs[i], metric[i], val[i] = r.Stage, int64(r.Observation), r.Metric, r.Value
	}
	return artifacts.Table{Columns: []artifacts.Column{
		{Name: "stage", Data: stage}, {Name: "observation", Data: obs},
		{Name: "metric", Data: metric}, {Name: "value", Data: val},
	}}
}

type figureMetric struct{ key, label string }

// figureMetrics picks the figure's three panels: the paper's log-prior,
// log-likelihood and W1 where the summary has them, the RMSE, CRPS and
// spread–error ratio in place of those it lacks.
func figureMetrics(summary []StageSummary) []figureMetric {
	has := func(key string) bool {
		for _, st := range summary {
			if _, ok := st.Medians[key]; ok {
				return true
			}
		}
		return false
	}
	var out []figureMetric
	for _, m := range []figureMetric{
		{"log_prior", "E[log p(x_2:L | x_1)]"}, {"log_lik", "E[log p(y | x)]"}, {"w1", "W1 to the filter"},
		{"rmse", "RMSE of the mean to the truth"}, {"crps", "CRPS"}, {"spread_error", "spread / error"},
	} {
		if len(out) < 3 && has(m.key) {
			out = append(out, m)
		}
	}
	return out
}

// metricsFigure draws the paper's Fig. 2 layout: each metric's median
// against the corrections C, one line per window size, the filter as a
// reference line.
func metricsFigure(addr string, summary []StageSummary) ([]byte, error) {
	var panels []plots.MetricPanel
	for _, m := range figureMetrics(summary) {
		pn := plots.MetricPanel{Title: m.label, XLabel: "corrections C"}
		if m.key == "log_prior" {
			cut := -1000.0 // C = 0 reaches -10^4: keep the C ≥ 1 values readable
			pn.YMin = &cut
		}
		// One line per (window, guidance): the paper's Fig. 2 has one per
		// window; MMPS and DPS stages get lines of their own.
		type line struct {
			window   int
			guidance string
		}
		byLine := map[line]*plots.Series{}
		for _, st := range summary {
			nv, ok := st.Medians[m.key]
			v := float64(nv)
			if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			switch st.Role {
			case "filter":
				pn.References = append(pn.References, plots.Reference{Name: "particle filter", Y: v})
			case "truth":
				if m.key == "log_prior" || m.key == "log_lik" {
					pn.References = append(pn.References, plots.Reference{Name: "truth", Y: v})
				}
			case "baseline":
				pn.References = append(pn.References, plots.Reference{Name: st.Method + " (" + st.Stage + ")", Y: v})
			default:
				k := line{st.Settings.Window, st.Settings.Guidance}
				if byLine[k] == nil {
					byLine[k] = &plots.Series{Name: fmt.Sprintf("window %d (k = %d), %s", k.window, (k.window-1)/2, k.guidance)}
				}
				byLine[k].X = append(byLine[k].X, float64(st.Settings.Corrections))
				byLine[k].Y = append(byLine[k].Y, v)
			}
		}
		lines := make([]line, 0, len(byLine))
		for k := range byLine {
			lines = append(lines, k)
		}
		sort.Slice(lines, func(i, j int) bool {
			if lines[i].window != lines[j].window {
				return lines[i].window < lines[j].window
			}
			return lines[i].guidance < lines[j].guidance
		})
		for _, k := range lines {
			s := byLine[k]
			sortXY(s)
			pn.Series = append(pn.Series, *s)
		}
		panels = append(panels, pn)
	}
	return plots.Metrics(addr+": medians over observation sets", panels)
}

func sortXY(s *plots.Series) {
	idx := make([]int, len(s.X))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return s.X[idx[a]] < s.X[idx[b]] })
	x, y := make([]float64, len(idx)), make([]float64, len(idx))
	for i, j := range idx {
		x[i], y[i] = s.X[j], s.Y[j]
	}
	s.X, s.Y = x, y
}
