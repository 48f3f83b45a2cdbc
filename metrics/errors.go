package metrics

import "errors"

var (
	// ErrSize reports empty sample sets, or sets of different sizes where
	// equal sizes are required.
	ErrSize = errors.New("metrics: invalid sample set size")

	// ErrNonFinite reports a NaN or infinite input value.
	ErrNonFinite = errors.New("metrics: non-finite value")
)
