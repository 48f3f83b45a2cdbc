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

// A StepError reports an op of a chain (see NewChain) that cannot be
// built: an unknown op, a setting of the wrong type or out of range, or
// an op that does not fit the shape of the array reaching it. It unwraps
// to ErrInvalid.
type StepError struct {
	Index   int    // position of the op in the chain, from 0
	Op      string // the op's name, e.g. "coarsen"
	Setting string // the offending setting, or "" when the op as a whole does not fit
	In      Shape  // the shape reaching the op
	Msg     string // what is wrong and what would fit
}

func (e *StepError) Error() string {
	return fmt.Sprintf("observe: op[%d] (%s) on %s: %s", e.Index, e.Op, e.In, e.Msg)
}

// Unwrap returns ErrInvalid.
func (e *StepError) Unwrap() error { return ErrInvalid }
