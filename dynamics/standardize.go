package dynamics

import (
	"fmt"
	"math"
)

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

// A ConstantError reports a first-axis entry whose values are all equal,
// so that no standardisation can bring it to unit scale.
type ConstantError struct {
	Entry int
	Value float64
}

func (e *ConstantError) Error() string {
	return fmt.Sprintf("dynamics: entry %d of the state is constant (%v) over the data; its scale would be 0", e.Entry, e.Value)
}

// Unwrap returns ErrParams.
func (e *ConstantError) Unwrap() error { return ErrParams }

// FitStandardization returns the standardisation of docs/method.md §1.1
// fitted to data: per entry of the state's first axis, the mean and the
// population standard deviation (divisor N) over every state in x and the
// inner values of that entry. x holds whole states of entries·inner values
// (any number of trajectories and times). It sums in float64 in index
// order, so the constants depend on x only. It panics unless x holds at
// least one whole state, and returns a *ConstantError for an entry whose
// values are all equal (or whose spread underflows to 0), or an error
// wrapping ErrNonFinite if a value or a constant is not finite.
func FitStandardization(x []float64, entries, inner int) (Standardization, error) {
	d := entries * inner
	if entries < 1 || inner < 1 || len(x) == 0 || len(x)%d != 0 {
		panic(fmt.Sprintf("dynamics: FitStandardization: %d values are not whole states of %d×%d", len(x), entries, inner))
	}
	s := Standardization{Mean: make([]float64, entries), Scale: make([]float64, entries), Inner: inner}
	count := float64(len(x) / d * inner)
	for off := 0; off < len(x); off += d {
		for c := range entries {
			for _, v := range x[off+c*inner : off+(c+1)*inner] {
				s.Mean[c] += v
			}
		}
	}
	for c := range entries {
		s.Mean[c] /= count
	}
	// Two passes: the sum of squared deviations from the mean, not
	// E[x²] − E[x]², which cancels catastrophically for large offsets.
	for off := 0; off < len(x); off += d {
		for c, m := range s.Mean {
			for _, v := range x[off+c*inner : off+(c+1)*inner] {
				s.Scale[c] += (v - m) * (v - m)
			}
		}
	}
	for c := range entries {
		s.Scale[c] = math.Sqrt(s.Scale[c] / count)
		m, sc := s.Mean[c], s.Scale[c]
		if math.IsNaN(m) || math.IsInf(m, 0) || math.IsNaN(sc) || math.IsInf(sc, 0) {
			return Standardization{}, fmt.Errorf("%w: entry %d has mean %v and scale %v", ErrNonFinite, c, m, sc)
		}
		if sc == 0 {
			return Standardization{}, &ConstantError{Entry: c, Value: x[c*inner]}
		}
	}
	return s, nil
}
