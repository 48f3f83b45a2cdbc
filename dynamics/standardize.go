package dynamics

import "fmt"

// A Standardization is the affine map x̃ = (x − Mean)/Scale that brings a
// system's states to unit scale for the score network (docs/method.md
// §1.1). It has one constant pair per entry of the state's first axis —
// per variable of a vector state, per channel of a field — shared by the
// Inner values that follow each entry (1 for a vector, H·W for a field).
type Standardization struct {
	Mean, Scale []float64
	Inner       int
}

// Identity returns the standardisation that changes nothing, for entries
// first-axis entries of inner values each.
func Identity(entries, inner int) Standardization {
	s := Standardization{Mean: make([]float64, entries), Scale: make([]float64, entries), Inner: inner}
	for i := range s.Scale {
		s.Scale[i] = 1
	}
	return s
}

// StateSize returns the values per state, len(Mean)·Inner.
func (s Standardization) StateSize() int { return len(s.Mean) * s.Inner }

// Apply writes (x − Mean)/Scale into dst for x holding whole states; dst may
// be x. It panics if the lengths differ or are not whole states.
func (s Standardization) Apply(dst, x []float64) {
	s.check("Apply", len(dst), len(x))
	for off := 0; off < len(x); off += s.StateSize() {
		for c, m := range s.Mean {
			lo, hi := off+c*s.Inner, off+(c+1)*s.Inner
			for i := lo; i < hi; i++ {
				dst[i] = (x[i] - m) / s.Scale[c]
			}
		}
	}
}

// Invert writes x·Scale + Mean into dst; dst may be x.
func (s Standardization) Invert(dst, x []float64) {
	s.check("Invert", len(dst), len(x))
	for off := 0; off < len(x); off += s.StateSize() {
		for c, m := range s.Mean {
			lo, hi := off+c*s.Inner, off+(c+1)*s.Inner
			for i := lo; i < hi; i++ {
				dst[i] = x[i]*s.Scale[c] + m
			}
		}
	}
}

// Invert32 is Invert on float32 states, computed in float64 and rounded.
func (s Standardization) Invert32(dst, x []float32) {
	s.check("Invert32", len(dst), len(x))
	for off := 0; off < len(x); off += s.StateSize() {
		for c, m := range s.Mean {
			lo, hi := off+c*s.Inner, off+(c+1)*s.Inner
			for i := lo; i < hi; i++ {
				dst[i] = float32(float64(x[i])*s.Scale[c] + m)
			}
		}
	}
}

func (s Standardization) check(op string, dst, x int) {
	d := s.StateSize()
	if len(s.Scale) != len(s.Mean) || d == 0 || dst != x || x%d != 0 {
		panic(fmt.Sprintf("dynamics: Standardization.%s: %d and %d values are not whole states of %d", op, dst, x, d))
	}
}
