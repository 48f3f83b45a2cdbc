package filters

import (
	"errors"
	"fmt"
)

var (
	// ErrConfig reports an unusable Config, such as zero particles or more
	// kept paths than particles.
	ErrConfig = errors.New("filters: invalid configuration")

	// ErrWeights reports an observation at which the particle weights
	// cannot be normalised: a log-likelihood that is NaN or +Inf, or all
	// −Inf. Errors of type *WeightError unwrap to it.
	ErrWeights = errors.New("filters: degenerate particle weights")
)

// A WeightError says at which observation (0-based) and, when one
// particle is to blame, which particle produced unusable weights.
type WeightError struct {
	Obs      int
	Particle int     // −1 when every weight is zero
	LogLik   float64 // the offending value (−Inf when every weight is zero)
}

func (e *WeightError) Error() string {
	if e.Particle < 0 {
		return fmt.Sprintf("filters: observation %d: every particle has zero likelihood", e.Obs)
	}
	return fmt.Sprintf("filters: observation %d: particle %d has log-likelihood %v", e.Obs, e.Particle, e.LogLik)
}

// Unwrap returns ErrWeights.
func (e *WeightError) Unwrap() error { return ErrWeights }
