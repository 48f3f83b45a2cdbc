package dynamics

import (
	"errors"
	"fmt"
)

var (
	// ErrSize reports a non-positive or otherwise unusable size argument,
	// such as a trajectory count of 0.
	ErrSize = errors.New("dynamics: invalid size")

	// ErrParams reports system parameters that do not define a proper
	// chain, such as a non-positive noise variance or a prior covariance
	// that is not positive definite.
	ErrParams = errors.New("dynamics: invalid system parameters")

	// ErrNonFinite reports a simulated state with a NaN or infinite
	// coordinate. Errors of type *NonFiniteError unwrap to it.
	ErrNonFinite = errors.New("dynamics: non-finite state")
)

// A NonFiniteError records where a simulation first produced a NaN or an
// infinity. Step counts transitions from the prior draw (step 0 is the
// prior draw itself, burn-in transitions included).
type NonFiniteError struct {
	Trajectory int
	Step       int
	Value      float64
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("dynamics: trajectory %d: non-finite state %v at step %d", e.Trajectory, e.Value, e.Step)
}

// Unwrap returns ErrNonFinite.
func (e *NonFiniteError) Unwrap() error { return ErrNonFinite }
