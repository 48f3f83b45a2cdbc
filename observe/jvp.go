package observe

// A Linearizable operator also gives Jacobian–vector products: JVP writes
// J_A(x)·dx into dy (length M) for dx of the event's length. Guidance that
// linearises a non-linear operator at a point (MMPS, docs/method.md §4.1)
// needs it besides the VJP. For a linear operator J_A(x)·dx = A(dx).
type Linearizable interface {
	Operator
	JVP32(dy, x, dx []float32)
	JVP64(dy, x, dx []float64)
}

// JVP32 writes the selected values of dx into dy: Select is linear.
func (s *Select) JVP32(dy, x, dx []float32) {
	mustLen("Select.JVP", "x", len(x), len(dx))
	selectApply(s, dy, dx)
}

// JVP64 writes the selected values of dx into dy.
func (s *Select) JVP64(dy, x, dx []float64) {
	mustLen("Select.JVP", "x", len(x), len(dx))
	selectApply(s, dy, dx)
}

// JVP32 writes g'(x_i)·dx_i for the selected i into dy.
func (s *Saturate) JVP32(dy, x, dx []float32) { saturateJVP(s, dy, x, dx) }

// JVP64 writes g'(x_i)·dx_i for the selected i into dy.
func (s *Saturate) JVP64(dy, x, dx []float64) { saturateJVP(s, dy, x, dx) }

func saturateJVP[T float](s *Saturate, dy, x, dx []T) {
	s.sel.check("Saturate.JVP", len(dy), len(x))
	mustLen("Saturate.JVP", "dx", len(dx), len(x))
	for j, i := range s.sel.idx {
		a := 1 + abs(x[i])
		dy[j] = dx[i] / (a * a)
	}
}

// JVP32 writes (x_t · dx_t)/‖x_t‖ for each observed time t into dy, 0 at a
// zero state (the subgradient VJP uses too).
func (n *Norm) JVP32(dy, x, dx []float32) { normJVP(n, dy, x, dx) }

// JVP64 is JVP32 in float64.
func (n *Norm) JVP64(dy, x, dx []float64) { normJVP(n, dy, x, dx) }

func normJVP[T float](n *Norm, dy, x, dx []T) {
	n.check("Norm.JVP", len(dy), len(x))
	mustLen("Norm.JVP", "dx", len(dx), len(x))
	for j, t := range n.times {
		xs, ds := x[t*n.d:(t+1)*n.d], dx[t*n.d:(t+1)*n.d]
		nrm := stateNorm(xs)
		if nrm == 0 {
			dy[j] = 0
			continue
		}
		var dot float64
		for k, v := range xs {
			dot += float64(v) * float64(ds[k])
		}
		dy[j] = T(dot / nrm)
	}
}
