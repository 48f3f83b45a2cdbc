package stages

import (
	"context"
	"errors"
	"fmt"
	"math"

	"sdapipe/dynamics"
	"sdapipe/dynamics/kolmogorov"
	"sdapipe/internal/floats"
	"sdapipe/metrics"
	"sdapipe/plots"
	"sdapipe/stage"
)

// kolmogorovSettings maps the Kolmogorov system's settings in pipeline.hcl
// to the fields of kolmogorov.Config; simulate's burn_in and length give
// BurnIn and Snapshots, in snapshot intervals.
var kolmogorovSettings = []struct {
	spec  stage.ParamSpec
	field string
}{
	{stage.ParamSpec{Name: "grid", Type: stage.Int, Default: int64(256), Min: stage.Bound(8), Max: stage.Bound(4096),
		Doc: "simulation grid side N, a power of two (the pressure solve is an FFT)"}, "Grid"},
	{stage.ParamSpec{Name: "resolution", Type: stage.Int, Default: int64(64), Min: stage.Bound(2), Max: stage.Bound(4096),
		Doc: "side of the stored states: block averages of the grid, so it must divide grid"}, "Resolution"},
	{stage.ParamSpec{Name: "reynolds", Type: stage.Float, Default: 1000.0, Doc: "Reynolds number Re; viscosity ν = 1/Re"}, "Reynolds"},
	{stage.ParamSpec{Name: "forcing_wavenumber", Type: stage.Int, Default: int64(4), Min: stage.Bound(0),
		Doc: "wavenumber k of the forcing (A·sin(k·y), 0)"}, "ForcingWavenumber"},
	{stage.ParamSpec{Name: "forcing_amplitude", Type: stage.Float, Default: 1.0, Doc: "amplitude A of the forcing"}, "ForcingAmplitude"},
	{stage.ParamSpec{Name: "drag", Type: stage.Float, Default: 0.1, Min: stage.Bound(0), Doc: "linear drag coefficient α: the force includes −α·u"}, "Drag"},
	{stage.ParamSpec{Name: "interval", Type: stage.Float, Default: 0.2, Doc: "time between stored states"}, "Interval"},
	{stage.ParamSpec{Name: "courant", Type: stage.Float, Default: 0.5,
		Doc: "CFL number of the inner forward-Euler steps, dt ≤ courant·h/max_velocity (at most 1)"}, "Courant"},
	{stage.ParamSpec{Name: "max_velocity", Type: stage.Float, Default: 5.0, Doc: "speed the inner time step is sized for"}, "MaxVelocity"},
	{stage.ParamSpec{Name: "initial_max_speed", Type: stage.Float, Default: 3.0, Doc: "largest speed of the random initial field"}, "InitialMaxSpeed"},
	{stage.ParamSpec{Name: "initial_peak", Type: stage.Float, Default: 4.0, Doc: "wavenumber where the initial field's spectrum peaks"}, "InitialPeak"},
}

// Kolmogorov is the 2-D Kolmogorov flow of docs/method.md §1.2: velocity
// fields (u, v) on the periodic square, simulated on a fine grid with the
// reference's finite-volume scheme and stored as block averages.
var Kolmogorov = &SystemKind{
	Name: "kolmogorov",
	Doc:  "the 2-D Kolmogorov flow (incompressible Navier–Stokes, sin(4y) forcing, drag), velocity fields (2, R, R)",
	Settings: func() []stage.ParamSpec {
		var out []stage.ParamSpec
		for _, s := range kolmogorovSettings {
			out = append(out, s.spec)
		}
		return out
	}(),
	Build: func(p *stage.Params) (System, error) {
		cfg := kolmogorov.DefaultConfig()
		cfg.Grid, cfg.Resolution = p.Int("grid"), p.Int("resolution")
		cfg.Reynolds, cfg.ForcingWavenumber, cfg.ForcingAmplitude = p.Float("reynolds"), p.Int("forcing_wavenumber"), p.Float("forcing_amplitude")
		cfg.Drag, cfg.Interval, cfg.Courant, cfg.MaxVelocity = p.Float("drag"), p.Float("interval"), p.Float("courant"), p.Float("max_velocity")
		cfg.InitialMaxSpeed, cfg.InitialPeak = p.Float("initial_max_speed"), p.Float("initial_peak")
		cfg.Snapshots, cfg.BurnIn = 1, 0 // simulate's length and burn_in, checked there
		if err := cfg.Validate(); err != nil {
			return nil, settingError(err)
		}
		return flow{cfg}, nil
	},
}

// settingError names the setting behind a kolmogorov.ParamError.
func settingError(err error) error {
	var pe *kolmogorov.ParamError
	if !errors.As(err, &pe) {
		return err
	}
	for _, s := range kolmogorovSettings {
		if s.field == pe.Field {
			return &stage.SettingError{Setting: s.spec.Name, Err: fmt.Errorf("%s = %v: %s", s.spec.Name, pe.Value, pe.Want)}
		}
	}
	return err
}

// flow adapts a Kolmogorov configuration to the stages' System.
type flow struct{ cfg kolmogorov.Config }

func (f flow) StateShape() []int {
	return []int{2, f.cfg.Resolution, f.cfg.Resolution}
}

// Standardization is the identity: velocities are O(1) and the reference
// trains on them as they are (docs/method.md §1.2); the constants are
// recorded all the same, so notebooks need no special case.
func (f flow) Standardization() dynamics.Standardization {
	return dynamics.Identity(2, f.cfg.Resolution*f.cfg.Resolution)
}

func (f flow) Chain() dynamics.System { return nil }

func (f flow) Simulate(ctx context.Context, n, burnIn, length int, seed uint64, done func()) ([]float32, error) {
	cfg := f.cfg
	cfg.BurnIn, cfg.Snapshots = burnIn, length
	if err := cfg.Validate(); err != nil {
		return nil, settingError(err)
	}
	return kolmogorov.GenerateProgress(ctx, cfg, n, seed, done)
}

// vorticityLimit is the colour range of vorticity figures (docs/method.md
// §1.2: [−1.25, 1.25]).
const vorticityLimit = 1.25

// Preview draws the vorticity, as coded in the reference, of the first
// trajectories of x (n, length, 2, R, R) at up to fieldColumns times.
func (f flow) Preview(title string, x []float32, n, length int) ([]byte, error) {
	r := f.cfg.Resolution
	d := 2 * r * r
	var times []int
	var cols []string
	for i := range min(fieldColumns, length) {
		t := i * (length - 1) / max(min(fieldColumns, length)-1, 1)
		times = append(times, t)
		cols = append(cols, fmt.Sprintf("t = %.1f", float64(t)*f.cfg.Interval))
	}
	var rows []plots.FieldRow
	w := make([]float64, r*r)
	for k := range min(n, 3) {
		row := plots.FieldRow{Name: fmt.Sprintf("trajectory %d", k)}
		for _, t := range times {
			kolmogorov.Vorticity(w, floats.To64(x[(k*length+t)*d:(k*length+t+1)*d]), 1, r, r)
			row.Images = append(row.Images, append([]float64(nil), w...))
		}
		rows = append(rows, row)
	}
	return plots.Fields(title, rows, cols, r, r, vorticityLimit)
}

// NewForecaster returns a solver that re-simulates stored states: upsample,
// step the flow, coarsen (docs/method.md §4.3, the physics check).
func (f flow) NewForecaster() (metrics.Forecaster, error) { return kolmogorov.NewSolver(f.cfg) }

// NewSpectrum returns an energy-spectrum meter for the stored fields.
func (f flow) NewSpectrum() metrics.Spectrum { return kolmogorov.NewSpectra(f.cfg.Resolution) }

// Enstrophy returns the mean enstrophy ½⟨ω²⟩ of a stored velocity field,
// with the vorticity in physical units (docs/method.md §1.2).
func (f flow) Enstrophy(x []float64) float64 {
	return kolmogorov.NewSpectra(f.cfg.Resolution).Enstrophy(x)
}

// Vorticity writes the vorticity as coded in the reference (docs/method.md
// §1.2) of a square velocity field (2, N, N) into dst (N, N).
func (flow) Vorticity(dst, x []float64) {
	n := int(math.Round(math.Sqrt(float64(len(x) / 2))))
	kolmogorov.Vorticity(dst, x, 1, n, n)
}
