package kolmogorov

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestDefaultConfigMatchesReference(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	// docs/method.md §1.2: ⌈0.2 / (0.5·(2π/256)/5)⌉ = 82 steps of 0.2/82.
	if got := c.Substeps(); got != 82 {
		t.Errorf("Substeps() = %d, want 82", got)
	}
	if got, want := c.TimeStep(), 0.2/82; got != want {
		t.Errorf("TimeStep() = %v, want %v", got, want)
	}
	if c.Factor() != 4 || c.StateLen() != 2*64*64 || c.TrajectoryLen() != 64*2*64*64 {
		t.Errorf("Factor %d, StateLen %d, TrajectoryLen %d", c.Factor(), c.StateLen(), c.TrajectoryLen())
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Config)
		field string // named in the message; "" means valid
	}{
		{"default", func(*Config) {}, ""},
		{"grid 128 coarsened by 2", func(c *Config) { c.Grid = 128 }, ""},
		{"grid not a power of two", func(c *Config) { c.Grid, c.Resolution = 96, 32 }, "Grid"},
		{"grid too small", func(c *Config) { c.Grid, c.Resolution = 4, 4 }, "Grid"},
		{"resolution does not divide grid", func(c *Config) { c.Resolution = 48 }, "Resolution"},
		{"resolution zero", func(c *Config) { c.Resolution = 0 }, "Resolution"},
		{"no snapshots", func(c *Config) { c.Snapshots = 0 }, "Snapshots"},
		{"negative burn-in", func(c *Config) { c.BurnIn = -1 }, "BurnIn"},
		{"zero Reynolds", func(c *Config) { c.Reynolds = 0 }, "Reynolds"},
		{"negative Reynolds", func(c *Config) { c.Reynolds = -5 }, "Reynolds"},
		{"NaN Reynolds", func(c *Config) { c.Reynolds = math.NaN() }, "Reynolds"},
		{"diffusion-unstable Reynolds", func(c *Config) { c.Reynolds = 0.5 }, "Reynolds"},
		{"forcing wavenumber beyond Nyquist", func(c *Config) { c.ForcingWavenumber = 128 }, "ForcingWavenumber"},
		{"infinite amplitude", func(c *Config) { c.ForcingAmplitude = math.Inf(1) }, "ForcingAmplitude"},
		{"negative drag", func(c *Config) { c.Drag = -0.1 }, "Drag"},
		{"drag-unstable step", func(c *Config) { c.Drag = 500 }, "Drag"},
		{"zero interval", func(c *Config) { c.Interval = 0 }, "Interval"},
		{"CFL-unstable Courant", func(c *Config) { c.Courant = 1.5 }, "Courant"},
		{"zero Courant", func(c *Config) { c.Courant = 0 }, "Courant"},
		{"zero max velocity", func(c *Config) { c.MaxVelocity = 0 }, "MaxVelocity"},
		{"CFL-unstable initial field", func(c *Config) { c.MaxVelocity = 1 }, "MaxVelocity"},
		{"zero initial speed", func(c *Config) { c.InitialMaxSpeed = 0 }, "InitialMaxSpeed"},
		{"zero peak", func(c *Config) { c.InitialPeak = 0 }, "InitialPeak"},
		{"no iterations", func(c *Config) { c.InitialIterations = 0 }, "InitialIterations"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := DefaultConfig()
			tc.edit(&c)
			err := c.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrParams) {
				t.Fatalf("Validate() = %v, want an ErrParams", err)
			}
			if !strings.Contains(err.Error(), tc.field+" = ") {
				t.Errorf("error %q does not name %s", err, tc.field)
			}
			if _, err := NewSolver(c); !errors.Is(err, ErrParams) {
				t.Errorf("NewSolver error %v, want ErrParams", err)
			}
		})
	}
}
