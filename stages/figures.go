package stages

import (
	"fmt"

	"sdapipe/dynamics"
	"sdapipe/internal/floats"
	"sdapipe/observe"
	"sdapipe/plots"
)

// figureMembers is how many posterior samples a trajectory figure draws.
const figureMembers = 32

// figureVariables is how many state variables a trajectory figure of
// vector states draws, one panel each: the first ones.
const figureVariables = 4

func truthOf(truth []float32, event int) []float32 {
	if truth == nil {
		return nil
	}
	return truth[:event]
}

// trajectoryFigure draws one observation set in physical units: for vector
// states one panel per state variable (the first figureVariables) with
// the posterior ensemble, an optional reference ensemble such as the
// particle filter's, the truth and, for operators that observe variables
// directly, the observations; for
// field states rows of snapshots (see fieldFigure).
func trajectoryFigure(title string, st dynamics.Standardization, state []int, op observe.Operator, y, post []float32,
	samples int, truth []float32, ref *plots.Ensemble) ([]byte, error) {
	if len(state) > 1 {
		return fieldFigure(title, state, post, samples, truth)
	}
	length, dim := op.Shape()
	desc := op.Describe()
	var panels []plots.Panel
	if dim > figureVariables {
		title += fmt.Sprintf(" (variables 0..%d of %d)", figureVariables-1, dim)
	}
	for v := range min(dim, figureVariables) {
		pn := plots.Panel{Title: fmt.Sprintf("state variable %d", v)}
		ens := plots.Ensemble{Name: "SDA posterior"}
		for s := range min(samples, figureMembers) {
			ens.Members = append(ens.Members, column(post[s*length*dim:(s+1)*length*dim], v, dim))
		}
		pn.Ensembles = append(pn.Ensembles, ens)
		if ref != nil {
			r := plots.Ensemble{Name: ref.Name}
			for _, m := range ref.Members {
				r.Members = append(r.Members, columnF64(m, v, dim))
			}
			pn.Ensembles = append(pn.Ensembles, r)
		}
		if truth != nil {
			pn.Truth = column(truth, v, dim)
		}
		if desc.Kind == observe.KindSelect {
			for i, t := range desc.Times {
				for j, ov := range desc.Vars {
					if ov == v {
						pn.ObsT = append(pn.ObsT, float64(t))
						pn.ObsY = append(pn.ObsY, float64(y[i*len(desc.Vars)+j])*st.Scale[v]+st.Mean[v])
					}
				}
			}
		}
		panels = append(panels, pn)
	}
	return plots.Panels(title, panels)
}

// fieldColumns is how many snapshots a field figure shows.
const fieldColumns = 8

// fieldFigure draws field trajectories (L, state...) as rows of snapshots
// at up to fieldColumns evenly spaced times: the truth, if known, then the
// first posterior samples. Each image is the first channel of a state
// (C, H, W), or the whole state when it is (H, W).
func fieldFigure(title string, state []int, post []float32, samples int, truth []float32) ([]byte, error) {
	h, w := state[len(state)-2], state[len(state)-1]
	d := dynamics.ShapeSize(state)
	length := len(post) / (samples * d)
	var times []int
	var cols []string
	for i := range min(fieldColumns, length) {
		t := i * (length - 1) / max(min(fieldColumns, length)-1, 1)
		times = append(times, t)
		cols = append(cols, fmt.Sprintf("state %d", t))
	}
	row := func(name string, traj []float32) plots.FieldRow {
		r := plots.FieldRow{Name: name}
		for _, t := range times {
			r.Images = append(r.Images, floats.To64(traj[t*d:t*d+h*w]))
		}
		return r
	}
	var rows []plots.FieldRow
	if truth != nil {
		rows = append(rows, row("truth", truth))
	}
	for s := range min(samples, 3) {
		rows = append(rows, row(fmt.Sprintf("sample %d", s), post[s*length*d:(s+1)*length*d]))
	}
	return plots.Fields(title, rows, cols, h, w, 0)
}

func column(x []float32, v, dim int) []float64 {
	out := make([]float64, len(x)/dim)
	for i := range out {
		out[i] = float64(x[i*dim+v])
	}
	return out
}

func columnF64(x []float64, v, dim int) []float64 {
	out := make([]float64, len(x)/dim)
	for i := range out {
		out[i] = x[i*dim+v]
	}
	return out
}
