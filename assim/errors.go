package assim

import (
	"errors"
	"fmt"
)

var (
	// ErrConfig reports an unusable method configuration, such as fewer
	// than two ensemble members or an inflation factor below 1.
	ErrConfig = errors.New("assim: invalid configuration")

	// ErrObservations reports malformed observations: times out of order
	// or outside the window, values of the wrong count, non-positive or
	// non-finite error variances, non-finite values.
	ErrObservations = errors.New("assim: invalid observations")

	// ErrSingular reports a covariance matrix that is not positive
	// definite where one must be (a background covariance, a Hessian).
	ErrSingular = errors.New("assim: covariance not positive definite")

	// ErrNonFinite reports an ensemble member or a state that became NaN
	// or infinite. Errors of type *NonFiniteError unwrap to it.
	ErrNonFinite = errors.New("assim: non-finite state")
)

// A NonFiniteError says at which state of the window (0-based) an
// ensemble first held a NaN or an infinity, and in which member.
type NonFiniteError struct {
	Time, Member int
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("assim: member %d is not finite at state %d", e.Member, e.Time)
}

// Unwrap returns ErrNonFinite.
func (e *NonFiniteError) Unwrap() error { return ErrNonFinite }

func configErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
}

func obsErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrObservations}, args...)...)
}
