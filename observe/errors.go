package observe

import (
	"errors"
	"fmt"
)

// ErrInvalid is the sentinel that every configuration error of this package
// wraps: test for it with errors.Is.
var ErrInvalid = errors.New("observe: invalid operator")

// An IndexError reports a state variable or time index outside the event.
// It unwraps to ErrInvalid.
type IndexError struct {
	What  string // "variable" or "time"
	Index int    // the offending index
	Size  int    // D for a variable, L for a time
}

func (e *IndexError) Error() string {
	if e.What == "variable" {
		return fmt.Sprintf("observe: variable %d does not exist: state has %d variables (0..%d)",
			e.Index, e.Size, e.Size-1)
	}
	return fmt.Sprintf("observe: time %d does not exist: trajectory has %d states (0..%d)",
		e.Index, e.Size, e.Size-1)
}

// Unwrap returns ErrInvalid.
func (e *IndexError) Unwrap() error { return ErrInvalid }

// invalid formats a configuration error that wraps ErrInvalid.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}
