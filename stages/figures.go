package stages

import (
	"fmt"

	"sdapipe/dynamics"
	"sdapipe/observe"
	"sdapipe/plots"
)

// figureMembers is how many posterior samples a trajectory figure draws.
const figureMembers = 32

func truthOf(truth []float32, event int) []float32 {
	if truth == nil {
		return nil
	}
	return truth[:event]
}

// toPhysical maps standardised float32 states back to physical units in place.
func toPhysical(sys dynamics.System, x []float32) {
	buf := make([]float64, len(x))
	for i, v := range x {
		buf[i] = float64(v)
	}
	sys.Unstandardize(buf, buf)
	for i, v := range buf {
		x[i] = float32(v)
	}
}

// trajectoryFigure draws one observation set: one panel per state
// variable with the posterior ensemble (physical units), an optional
// reference ensemble such as the particle filter's, the truth and, for
// operators that observe variables directly, the observations.
func trajectoryFigure(title string, sys dynamics.System, op observe.Operator, y, post []float32, samples int, truth []float32, ref *plots.Ensemble) ([]byte, error) {
	length, dim := op.Shape()
	mean, scale := StandardizationOf(sys)
	desc := op.Describe()
	names := []string{"a", "b", "c"}
	var panels []plots.Panel
	for v := range dim {
		name := fmt.Sprintf("x[%d]", v)
		if dim == len(names) {
			name = names[v]
		}
		pn := plots.Panel{Title: "state variable " + name}
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
						pn.ObsY = append(pn.ObsY, float64(y[i*len(desc.Vars)+j])*scale[v]+mean[v])
					}
				}
			}
		}
		panels = append(panels, pn)
	}
	return plots.Panels(title, panels)
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
