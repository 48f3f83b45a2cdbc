package diffusion

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalid is wrapped by every configuration error of this package
	// (a schedule, sampler, composite or guidance parameter out of range).
	ErrInvalid = errors.New("diffusion: invalid configuration")

	// ErrNonFinite is wrapped by *NonFiniteError: sampling produced NaN or ±Inf.
	ErrNonFinite = errors.New("diffusion: non-finite value")
)

// A NonFiniteError reports the first NaN or ±Inf that the sampler found in
// its state. It unwraps to ErrNonFinite.
type NonFiniteError struct {
	Step  int     // sampler step, 0-based: the update from t = 1 − Step/N
	T     float64 // diffusion time the state had reached
	Phase string  // "predictor" or "corrector"
	Index int     // flat index of the first non-finite element of x
	Value float64 // that element
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("diffusion: non-finite value %v at x[%d] after the %s of step %d (t = %.6g)",
		e.Value, e.Index, e.Phase, e.Step, e.T)
}

// Unwrap returns ErrNonFinite.
func (e *NonFiniteError) Unwrap() error { return ErrNonFinite }

// invalid formats a configuration error that wraps ErrInvalid.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}
