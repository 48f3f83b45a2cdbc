package nn

import "math"

// TimeFeatures records the sinusoidal time features of docs/method.md §2.3 for t
// (rows) or (rows, 1):
//
//	y = [cos(π·1·t), …, cos(π·nf·t), sin(π·1·t), …, sin(π·nf·t)]
//
// cosines first; y is (rows, 2·nf). Values are computed in float64 and
// rounded.
func (tp *Tape) TimeFeatures(t *Tensor, nf int) *Tensor {
	rows := rowsOf("TimeFeatures", t, 1)
	nd := tp.op(opTimeFeatures, t.n, nil, rows, 2*nf)
	nd.ival = nf
	for r := range rows {
		timeFeatures(nd.t.Data[r*2*nf:(r+1)*2*nf], t.Data[r])
	}
	return &nd.t
}

// timeFeatures writes the 2·nf features of one time t into dst.
func timeFeatures(dst []float32, t float32) {
	nf := len(dst) / 2
	for j := 1; j <= nf; j++ {
		s, c := math.Sincos(math.Pi * float64(j) * float64(t))
		dst[j-1], dst[nf+j-1] = float32(c), float32(s)
	}
}

func (tp *Tape) timeFeaturesBackward(nd *node) {
	in, g, nf := nd.a, nd.t.Grad, nd.ival
	if !in.need {
		return
	}
	d, acc := tp.gradInto(in)
	for r := range d {
		var s float64
		t := float64(in.t.Data[r])
		for j := 1; j <= nf; j++ {
			w := math.Pi * float64(j)
			sn, cs := math.Sincos(w * t)
			s += -w*sn*float64(g[r*2*nf+j-1]) + w*cs*float64(g[r*2*nf+nf+j-1])
		}
		if acc {
			d[r] += float32(s)
		} else {
			d[r] = float32(s)
		}
	}
}
