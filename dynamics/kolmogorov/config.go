package kolmogorov

import (
	"fmt"
	"math"
)

// A Config holds every parameter of a Kolmogorov-flow dataset
// (docs/method.md §1.2). Lengths are in units of the domain [0, 2π]²,
// times in the flow's time unit, velocities in length per time unit.
type Config struct {
	// Grid is the simulation grid side N: N×N cells of side h = 2π/N.
	// It must be a power of two ≥ 8 (the pressure solve is an FFT).
	Grid int
	// Resolution is the side of the stored states, which are Grid/Resolution
	// × Grid/Resolution block averages of the simulated velocity. It must
	// divide Grid.
	Resolution int
	// Snapshots is the number of stored states per trajectory.
	Snapshots int
	// BurnIn is the number of snapshot intervals simulated from the initial
	// field and discarded before the first stored state.
	BurnIn int
	// Reynolds is Re; the kinematic viscosity is ν = 1/Re (density 1).
	Reynolds float64
	// ForcingWavenumber k and ForcingAmplitude A give the body force
	// (A·sin(k·y), 0); k must be an integer so the force is periodic.
	ForcingWavenumber int
	ForcingAmplitude  float64
	// Drag is the linear drag coefficient α ≥ 0: the force includes −α·u.
	Drag float64
	// Interval is the time between snapshots.
	Interval float64
	// Courant is the CFL number C that sets the inner time step together
	// with MaxVelocity: dt ≤ C·h/MaxVelocity, rounded down so that a whole
	// number of steps fits in Interval. Forward Euler with the van Leer
	// limiter is total-variation diminishing only for C ≤ 1.
	Courant     float64
	MaxVelocity float64
	// InitialMaxSpeed and InitialPeak shape the random initial field: its
	// largest speed max |u| and the wavenumber where its spectrum peaks.
	// InitialIterations is the number of project-and-rescale passes.
	InitialMaxSpeed   float64
	InitialPeak       float64
	InitialIterations int
}

// DefaultConfig returns the reference's dataset (docs/method.md §1.2): a
// 256² simulation at Re = 1000 forced by (sin 4y, 0) with drag 0.1, 64
// burn-in and 64 stored snapshots 0.2 apart, stored at 64×64, with the
// inner step from CFL 0.5 at speed 5 (82 steps per snapshot).
func DefaultConfig() Config {
	return Config{
		Grid:              256,
		Resolution:        64,
		Snapshots:         64,
		BurnIn:            64,
		Reynolds:          1000,
		ForcingWavenumber: 4,
		ForcingAmplitude:  1,
		Drag:              0.1,
		Interval:          0.2,
		Courant:           0.5,
		MaxVelocity:       5,
		InitialMaxSpeed:   3,
		InitialPeak:       4,
		InitialIterations: 3,
	}
}

// Spacing returns the grid spacing h = 2π/Grid.
func (c Config) Spacing() float64 { return 2 * math.Pi / float64(c.Grid) }

// Viscosity returns ν = 1/Reynolds.
func (c Config) Viscosity() float64 { return 1 / c.Reynolds }

// Substeps returns the number of forward-Euler steps per snapshot
// interval, as jax-cfd chooses it: the stable step
// dt_max = Courant·h/MaxVelocity, and ⌈Interval/dt_max⌉ steps (at least 1).
func (c Config) Substeps() int {
	dtMax := c.Courant * c.Spacing() / c.MaxVelocity
	if dtMax >= c.Interval {
		return 1
	}
	return int(math.Ceil(c.Interval / dtMax))
}

// TimeStep returns the inner time step Interval/Substeps.
func (c Config) TimeStep() float64 { return c.Interval / float64(c.Substeps()) }

// Factor returns Grid/Resolution, the coarsening factor r.
func (c Config) Factor() int { return c.Grid / c.Resolution }

// Validate reports the first parameter that does not define a stable,
// well-posed simulation, as an error wrapping ErrParams that names it.
func (c Config) Validate() error {
	switch {
	case c.Grid < 8 || c.Grid&(c.Grid-1) != 0:
		return paramErr("Grid", c.Grid, "want a power of two ≥ 8 (the pressure solve is an FFT)")
	case c.Resolution < 1 || c.Grid%c.Resolution != 0:
		return paramErr("Resolution", c.Resolution, fmt.Sprintf("want a divisor of Grid = %d", c.Grid))
	case c.Snapshots < 1:
		return paramErr("Snapshots", c.Snapshots, "want ≥ 1")
	case c.BurnIn < 0:
		return paramErr("BurnIn", c.BurnIn, "want ≥ 0")
	case !(c.Reynolds > 0) || math.IsInf(c.Reynolds, 0):
		return paramErr("Reynolds", c.Reynolds, "want a finite Re > 0")
	case c.ForcingWavenumber < 0 || 2*c.ForcingWavenumber >= c.Grid:
		return paramErr("ForcingWavenumber", c.ForcingWavenumber, "want 0 ≤ k < Grid/2")
	case !finite(c.ForcingAmplitude):
		return paramErr("ForcingAmplitude", c.ForcingAmplitude, "want a finite amplitude")
	case !(c.Drag >= 0) || math.IsInf(c.Drag, 0):
		return paramErr("Drag", c.Drag, "want a finite drag ≥ 0")
	case !(c.Interval > 0) || math.IsInf(c.Interval, 0):
		return paramErr("Interval", c.Interval, "want a finite interval > 0")
	case !(c.Courant > 0 && c.Courant <= 1):
		return paramErr("Courant", c.Courant, "want 0 < C ≤ 1 (forward Euler with the van Leer limiter is unstable beyond)")
	case !(c.MaxVelocity > 0) || math.IsInf(c.MaxVelocity, 0):
		return paramErr("MaxVelocity", c.MaxVelocity, "want a finite speed > 0")
	case !(c.InitialMaxSpeed > 0) || math.IsInf(c.InitialMaxSpeed, 0):
		return paramErr("InitialMaxSpeed", c.InitialMaxSpeed, "want a finite speed > 0")
	case !(c.InitialPeak > 0) || math.IsInf(c.InitialPeak, 0):
		return paramErr("InitialPeak", c.InitialPeak, "want a finite wavenumber > 0")
	case c.InitialIterations < 1:
		return paramErr("InitialIterations", c.InitialIterations, "want ≥ 1")
	}
	return c.validateStep()
}

// validateStep checks the explicit step against the limits that can be
// known before the run: the initial field's Courant number
// InitialMaxSpeed·dt/h must not exceed 1, explicit diffusion needs
// 4ν·dt/h² ≤ 1 (jax-cfd's diffusion limit dt ≤ h²/(2^d ν), d = 2), and
// drag needs α·dt < 1. A flow that later outruns MaxVelocity/Courant can
// still diverge; Trajectory reports that as a *NonFiniteError.
func (c Config) validateStep() error {
	dt, h, nu := c.TimeStep(), c.Spacing(), c.Viscosity()
	if cfl := c.InitialMaxSpeed * dt / h; cfl > 1 {
		return paramErr("MaxVelocity", c.MaxVelocity, fmt.Sprintf(
			"the initial field (speed %g) would start at Courant number %.3g > 1; want MaxVelocity ≥ Courant·InitialMaxSpeed", c.InitialMaxSpeed, cfl))
	}
	if d := 4 * nu * dt / (h * h); d > 1 {
		return paramErr("Reynolds", c.Reynolds, fmt.Sprintf(
			"explicit diffusion is unstable at this grid and time step (4ν·dt/h² = %.3g > 1); raise Re or lower Courant", d))
	}
	if c.Drag*dt >= 1 {
		return paramErr("Drag", c.Drag, "explicit drag is unstable at this time step (α·dt ≥ 1)")
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
