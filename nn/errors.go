package nn

import (
	"errors"
	"fmt"
)

// ErrUnknownParam is returned when a parameter name is not one of a
// network's parameters.
var ErrUnknownParam = errors.New("nn: unknown parameter")

// A ShapeError reports data whose length does not match a parameter's shape.
type ShapeError struct {
	Name      string // parameter name
	Shape     []int  // the parameter's shape
	Len, Want int    // length given and length required
}

func (e *ShapeError) Error() string {
	return fmt.Sprintf("nn: parameter %s has shape %v (%d values), got %d values", e.Name, e.Shape, e.Want, e.Len)
}

// ErrNonFinite reports a loss that is NaN or infinite at a training step;
// the step's update was not applied.
type ErrNonFinite struct {
	Step  int
	Value float64
}

func (e ErrNonFinite) Error() string {
	return fmt.Sprintf("nn: non-finite loss %g at step %d", e.Value, e.Step)
}
