package kolmogorov

import (
	"errors"
	"fmt"
)

var (
	// ErrParams reports a Config that does not define a stable, well-posed
	// simulation: a grid the FFT cannot take or the output resolution does
	// not divide, a non-positive Reynolds number, a time step beyond the
	// stability limits. The wrapping error names the field and its value.
	ErrParams = errors.New("kolmogorov: invalid parameters")

	// ErrSize reports an unusable count argument, such as zero
	// trajectories.
	ErrSize = errors.New("kolmogorov: invalid size")

	// ErrNonFinite reports a simulated velocity with a NaN or infinite
	// value. Errors of type *NonFiniteError unwrap to it.
	ErrNonFinite = errors.New("kolmogorov: non-finite velocity")
)

// A NonFiniteError records where a simulation first produced a NaN or an
// infinity: the trajectory, and the snapshot interval counted from the
// initial field (interval 1 ends at time Interval; burn-in included).
type NonFiniteError struct {
	Trajectory int
	Interval   int
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("kolmogorov: trajectory %d: non-finite velocity after snapshot interval %d", e.Trajectory, e.Interval)
}

// Unwrap returns ErrNonFinite.
func (e *NonFiniteError) Unwrap() error { return ErrNonFinite }

// paramErr returns an error wrapping ErrParams that names the field.
// A ParamError names the Config field that makes a Config invalid, its
// value, and what would do. It unwraps to ErrParams.
type ParamError struct {
	Field string
	Value any
	Want  string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("%v: %s = %v: %s", ErrParams, e.Field, e.Value, e.Want)
}

// Unwrap returns ErrParams.
func (e *ParamError) Unwrap() error { return ErrParams }

func paramErr(field string, value any, want string) error {
	return &ParamError{Field: field, Value: value, Want: want}
}
