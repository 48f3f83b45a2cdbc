package observe

// Saturate observes a selection through the saturating non-linearity
//
//	g(w) = w / (1 + |w|),   g'(w) = 1 / (1 + |w|)²,
//
// applied elementwise (docs/method.md §4.3, the Kolmogorov saturating observation).
type Saturate struct {
	sel *Select
}

// NewSaturate returns g applied to the values that sel observes.
func NewSaturate(sel *Select) *Saturate { return &Saturate{sel: sel} }

// Shape returns the event shape (L, D).
func (s *Saturate) Shape() (l, d int) { return s.sel.Shape() }

// Outputs returns M, as for the underlying selection.
func (s *Saturate) Outputs() int { return s.sel.Outputs() }

// Apply32 writes g(x[selected]) into dst.
func (s *Saturate) Apply32(dst, x []float32) { saturateApply(s, dst, x) }

// Apply64 writes g(x[selected]) into dst.
func (s *Saturate) Apply64(dst, x []float64) { saturateApply(s, dst, x) }

// VJP32 adds g'(x[selected])·g into the selected positions of gx.
func (s *Saturate) VJP32(gx, x, g []float32) { saturateVJP(s, gx, x, g) }

// VJP64 adds g'(x[selected])·g into the selected positions of gx.
func (s *Saturate) VJP64(gx, x, g []float64) { saturateVJP(s, gx, x, g) }

// Describe returns the KindSaturate description.
func (s *Saturate) Describe() Description { return s.sel.describe(KindSaturate) }

func saturateApply[T float](s *Saturate, dst, x []T) {
	s.sel.check("Saturate.Apply", len(dst), len(x))
	for j, i := range s.sel.idx {
		w := x[i]
		dst[j] = w / (1 + abs(w))
	}
}

func saturateVJP[T float](s *Saturate, gx, x, g []T) {
	s.sel.check("Saturate.VJP", len(g), len(x))
	mustLen("Saturate.VJP", "gx", len(gx), len(x))
	for j, i := range s.sel.idx {
		a := 1 + abs(x[i])
		gx[i] += g[j] / (a * a)
	}
}

func abs[T float](w T) T {
	if w < 0 {
		return -w
	}
	return w
}
