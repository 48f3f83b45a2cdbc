package stages

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"sdapipe/artifacts"
	"sdapipe/dynamics"
	"sdapipe/dynamics/kolmogorov"
	"sdapipe/internal/floats"
	"sdapipe/metrics"
	"sdapipe/observe"
	"sdapipe/plots"
	"sdapipe/stage"
)

// A fieldSystem is a system of fields whose physics the evaluation can
// use (docs/method.md §4.3): it re-simulates a state with the true
// dynamics, measures energy spectra and computes the vorticity that
// figures show.
type fieldSystem interface {
	NewForecaster() (metrics.Forecaster, error)
	NewSpectrum() metrics.Spectrum
	// Enstrophy returns the mean enstrophy ½⟨ω²⟩ of a velocity field.
	Enstrophy(x []float64) float64
	// Vorticity writes the vorticity (H, W) of a velocity field (2, H, W),
	// H = W, into dst.
	Vorticity(dst, x []float64)
}

// fieldEval holds what the evaluation of fields adds: per-state rows,
// spectra and the rows of the main table.
type fieldEval struct {
	sys         fieldSystem
	samples     int // samples re-simulated per stage and set
	states      []stateRow
	spectra     []spectrumRow
	truthSpecOf map[int][]float64
}

type stateRow struct {
	stage     string
	obs, time int
	metric    string
	value     float64
}

type spectrumRow struct {
	stage  string
	obs, k int
	energy float64
}

// score adds the field metrics of one ensemble, n trajectories of ev
// values, for observation set o: rows for the main table (physics_error,
// physics_resid_std, spectrum_error), and per-state and spectrum rows.
func (f *fieldEval) score(s *scorer, stage string, o int, ens []float32, n int) ([]metrics.Row, error) {
	d, l := s.dim, s.length
	ev := l * d
	k := min(n, f.samples)
	x := floats.To64(ens[:k*ev])
	var rows []metrics.Row
	if l > 1 && s.Chain == nil {
		r, err := f.physics(s, stage, o, x, k)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	if s.Truth != nil && stage != "truth" {
		per := make([]float64, l)
		metrics.StateRMSE(per, floats.To64(ens[:n*ev]), floats.To64(s.Truth[o*ev:(o+1)*ev]), d)
		for t, v := range per {
			f.states = append(f.states, stateRow{stage: stage, obs: o, time: t, metric: "rmse", value: v})
		}
	}
	sp := metrics.MeanSpectrum(f.sys.NewSpectrum(), floats.To64(ens[:n*ev]), d)
	for kk, e := range sp {
		f.spectra = append(f.spectra, spectrumRow{stage: stage, obs: o, k: kk, energy: e})
	}
	if s.Truth != nil {
		ts, ok := f.truthSpecOf[o]
		if !ok {
			ts = metrics.MeanSpectrum(f.sys.NewSpectrum(), floats.To64(s.Truth[o*ev:(o+1)*ev]), d)
			f.truthSpecOf[o] = ts
		}
		if stage != "truth" {
			rows = append(rows, metrics.Row{Stage: stage, Observation: o, Metric: "spectrum_error",
				Value: metrics.SpectrumError(sp, ts, len(sp)/2)})
		}
	}
	return rows, nil
}

// physics re-simulates k samples x (k, L, D) from their first states and
// returns the rows physics_error (the per-state error averaged over the
// trajectory) and physics_resid_std (the observation residual of the
// re-simulations), adding the per-state errors to the states table. When
// the true dynamics blow up from a sample — the sample is far from the
// flow's states — both are +Inf: a result, not a failure.
func (f *fieldEval) physics(s *scorer, stage string, o int, x []float64, k int) ([]metrics.Row, error) {
	d, l := s.dim, s.length
	ev := l * d
	fc, err := f.sys.NewForecaster()
	if err != nil {
		return nil, err
	}
	per, resim := make([]float64, l), make([]float64, len(x))
	if err := metrics.Physics(per, resim, fc, x, k, d); errors.Is(err, kolmogorov.ErrNonFinite) {
		inf := math.Inf(1)
		return []metrics.Row{{Stage: stage, Observation: o, Metric: "physics_error", Value: inf},
			{Stage: stage, Observation: o, Metric: "physics_resid_std", Value: inf}}, nil
	} else if err != nil {
		return nil, fmt.Errorf("re-simulating %s: %w", stage, err)
	}
	var mean float64
	for t := 1; t < l; t++ {
		f.states = append(f.states, stateRow{stage: stage, obs: o, time: t, metric: "physics", value: per[t]})
		mean += per[t] / float64(l-1)
	}
	m := s.Op.Outputs()
	y := floats.To64(s.Y[o*m : (o+1)*m])
	std, ax := make([]float64, ev), make([]float64, m)
	var resid []float64
	for i := range k {
		s.Std.Apply(std, resim[i*ev:(i+1)*ev])
		s.Op.Apply64(ax, std)
		for j, v := range ax {
			resid = append(resid, v-y[j])
		}
	}
	return []metrics.Row{{Stage: stage, Observation: o, Metric: "physics_error", Value: mean},
		{Stage: stage, Observation: o, Metric: "physics_resid_std", Value: metrics.ResidualStd(resid)}}, nil
}

// write stores the per-state and spectrum tables.
func (f *fieldEval) write(env *stage.Env) error {
	st, ob, tm, me := make([]string, len(f.states)), make([]int64, len(f.states)), make([]int64, len(f.states)), make([]string, len(f.states))
	va := make([]float64, len(f.states))
	for i, r := range f.states {
		st[i], ob[i], tm[i], me[i], va[i] = r.stage, int64(r.obs), int64(r.time), r.metric, r.value
	}
	err := env.WriteArrow("states", artifacts.Table{Columns: []artifacts.Column{
		{Name: "stage", Data: st}, {Name: "observation", Data: ob}, {Name: "time", Data: tm},
		{Name: "metric", Data: me}, {Name: "value", Data: va},
	}})
	if err != nil {
		return err
	}
	ss, so, sk, se := make([]string, len(f.spectra)), make([]int64, len(f.spectra)), make([]int64, len(f.spectra)), make([]float64, len(f.spectra))
	for i, r := range f.spectra {
		ss[i], so[i], sk[i], se[i] = r.stage, int64(r.obs), int64(r.k), r.energy
	}
	return env.WriteArrow("spectra", artifacts.Table{Columns: []artifacts.Column{
		{Name: "stage", Data: ss}, {Name: "observation", Data: so}, {Name: "wavenumber", Data: sk}, {Name: "energy", Data: se},
	}})
}

// fieldsFigure draws observation set 0 as rows of vorticity snapshots over
// time: the truth, the observations where the operator keeps a time axis
// (shown at their own resolution, blown up), then the first sample of each
// posterior.
func fieldsFigure(title string, f fieldSystem, s *scorer, posts []posterior) ([]byte, error) {
	h, w := s.state[len(s.state)-2], s.state[len(s.state)-1]
	d, l := s.dim, s.length
	var times []int
	var cols []string
	for i := range min(fieldColumns, l) {
		t := i * (l - 1) / max(min(fieldColumns, l)-1, 1)
		times = append(times, t)
		cols = append(cols, fmt.Sprintf("state %d", t))
	}
	vort := func(state []float32) []float64 {
		out := make([]float64, h*w)
		f.Vorticity(out, floats.To64(state))
		return out
	}
	row := func(name string, traj []float32) plots.FieldRow {
		r := plots.FieldRow{Name: name}
		for _, t := range times {
			r.Images = append(r.Images, vort(traj[t*d:(t+1)*d]))
		}
		return r
	}
	var rows []plots.FieldRow
	if s.Truth != nil {
		rows = append(rows, row("truth", s.Truth[:l*d]))
	}
	if obs, ok := observationRow(f, s, times, h, w); ok {
		rows = append(rows, obs)
	}
	for _, p := range posts {
		// The row label is short enough for the panel's height: a sample
		// stage by its name alone.
		rows = append(rows, row(strings.TrimPrefix(p.addr, "sample."), p.x[:l*d]))
	}
	return plots.Fields(title, rows, cols, h, w, vorticityLimit)
}

// observationRow shows observation set 0 when the operator is a chain that
// keeps the time axis: each observed state as its vorticity (velocity
// fields) or as it is (fields such as vorticity), each value drawn over
// the part of the state it summarises (a coarse block, a crop's place, a
// subsample's stride) and the rest left empty; columns whose state is not
// observed stay empty.
func observationRow(f fieldSystem, s *scorer, times []int, h, w int) (plots.FieldRow, bool) {
	c, ok := s.Op.(*observe.Chain)
	if !ok {
		return plots.FieldRow{}, false
	}
	obsTimes, timed := c.Times()
	out := c.OutShape()
	if !timed || len(out) < 3 || (len(out) == 4 && out[1] != 2) || len(out) > 4 {
		return plots.FieldRow{}, false
	}
	per := dynamics.ShapeSize(out[1:])
	oh, ow := out[len(out)-2], out[len(out)-1]
	// Where each observed pixel lies in the state's h × w plane.
	type rect struct{ r0, r1, c0, c1 int }
	where := make([]rect, oh*ow)
	for i := range oh {
		for k := range ow {
			r0, r1, c0, c1, ok := c.Region(i, k)
			if !ok || r1 > h || c1 > w {
				return plots.FieldRow{}, false
			}
			where[i*ow+k] = rect{r0, r1, c0, c1}
		}
	}
	r := plots.FieldRow{Name: "observation"}
	y := floats.To64(s.Y[:s.m])
	for _, t := range times {
		j := slices.Index(obsTimes, t)
		if j < 0 {
			r.Images = append(r.Images, nil)
			continue
		}
		img := y[j*per : (j+1)*per]
		if len(out) == 4 { // a coarse velocity field: show its vorticity
			v := make([]float64, oh*ow)
			f.Vorticity(v, img)
			// Vorticity as coded is in grid-index units: on a grid whose
			// pixels span a pixels of the state's, the same flow reads a
			// times larger.
			a := float64(where[0].r1 - where[0].r0)
			for i := range v {
				v[i] /= a
			}
			img = v
		}
		big := make([]float64, h*w)
		for i := range big {
			big[i] = math.NaN()
		}
		for p, q := range where {
			for i := q.r0; i < q.r1; i++ {
				for k := q.c0; k < q.c1; k++ {
					big[i*w+k] = img[p]
				}
			}
		}
		r.Images = append(r.Images, big)
	}
	return r, true
}
