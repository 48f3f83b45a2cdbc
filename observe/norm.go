package observe

import (
	"math"
	"slices"
)

// Norm observes the Euclidean norm of the whole state vector at chosen
// times:
//
//	y_j = ‖x[t_j, :]‖₂,   ∂y_j/∂x[t_j, d] = x[t_j, d] / y_j.
//
// At a zero state the norm is not differentiable; VJP uses the subgradient 0
// there. Sums of squares accumulate in float64 in both precisions.
type Norm struct {
	l, d  int
	times []int
}

// NewNorm returns the norm operator at times for events of shape (l, d). It
// returns an error wrapping ErrInvalid for an empty shape, an empty or
// duplicated time list, and an *IndexError for a time outside the event.
func NewNorm(l, d int, times []int) (*Norm, error) {
	if err := checkShape(l, d); err != nil {
		return nil, err
	}
	if err := checkIndices("time", times, l); err != nil {
		return nil, err
	}
	return &Norm{l: l, d: d, times: slices.Clone(times)}, nil
}

// Shape returns the event shape (L, D).
func (n *Norm) Shape() (l, d int) { return n.l, n.d }

// Outputs returns M = len(times).
func (n *Norm) Outputs() int { return len(n.times) }

// Apply32 writes the state norms into dst.
func (n *Norm) Apply32(dst, x []float32) { normApply(n, dst, x) }

// Apply64 writes the state norms into dst.
func (n *Norm) Apply64(dst, x []float64) { normApply(n, dst, x) }

// VJP32 adds Σ_j g_j·∂y_j/∂x into gx.
func (n *Norm) VJP32(gx, x, g []float32) { normVJP(n, gx, x, g) }

// VJP64 adds Σ_j g_j·∂y_j/∂x into gx.
func (n *Norm) VJP64(gx, x, g []float64) { normVJP(n, gx, x, g) }

// Describe returns the KindNorm description.
func (n *Norm) Describe() Description {
	return Description{Kind: KindNorm, Length: n.l, Dim: n.d,
		Times: slices.Clone(n.times), Outputs: len(n.times)}
}

func (n *Norm) check(op string, dst, x int) {
	mustLen(op, "x", x, n.l*n.d)
	mustLen(op, "y", dst, len(n.times))
}

func stateNorm[T float](s []T) float64 {
	var ss float64
	for _, v := range s {
		ss += float64(v) * float64(v)
	}
	return math.Sqrt(ss)
}

func normApply[T float](n *Norm, dst, x []T) {
	n.check("Norm.Apply", len(dst), len(x))
	for j, t := range n.times {
		dst[j] = T(stateNorm(x[t*n.d : (t+1)*n.d]))
	}
}

func normVJP[T float](n *Norm, gx, x, g []T) {
	n.check("Norm.VJP", len(g), len(x))
	mustLen("Norm.VJP", "gx", len(gx), len(x))
	for j, t := range n.times {
		s := x[t*n.d : (t+1)*n.d]
		r := stateNorm(s)
		if r == 0 {
			continue
		}
		c := float64(g[j]) / r
		for i, v := range s {
			gx[t*n.d+i] += T(c * float64(v))
		}
	}
}
