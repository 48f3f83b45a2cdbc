package kolmogorov

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"sdapipe/dynamics"
)

// smallConfig is a cheap dataset: 32² simulated, stored at 16².
func smallConfig() Config {
	c := DefaultConfig()
	c.Grid, c.Resolution, c.Snapshots, c.BurnIn = 32, 16, 3, 2
	return c
}

func TestGenerateDeterministic(t *testing.T) {
	c := smallConfig()
	var runs [][]float32
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		out, err := Generate(context.Background(), c, 3, 11)
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, out)
	}
	if len(runs[0]) != 3*c.TrajectoryLen() {
		t.Fatalf("len %d, want %d", len(runs[0]), 3*c.TrajectoryLen())
	}
	if !slices.Equal(runs[0], runs[1]) {
		t.Error("GOMAXPROCS=1 and 2 differ")
	}
	// The first trajectories of a larger run equal a smaller run, and
	// trajectory n is Trajectory on the stream (seed, n).
	one, err := Generate(context.Background(), c, 1, 11)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(one, runs[0][:c.TrajectoryLen()]) {
		t.Error("Generate(1) is not the first trajectory of Generate(3)")
	}
	s, err := NewSolver(c)
	if err != nil {
		t.Fatal(err)
	}
	traj := make([]float32, c.TrajectoryLen())
	x := make([]float64, 2*c.Grid*c.Grid)
	if err := s.Trajectory(context.Background(), traj, x, dynamics.NewStream(11, 2)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(traj, runs[0][2*c.TrajectoryLen():]) {
		t.Error("trajectory 2 is not Trajectory on stream (11, 2)")
	}
	// Different seeds give different data.
	other, err := Generate(context.Background(), c, 1, 12)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(other, one) {
		t.Error("seeds 11 and 12 gave the same trajectory")
	}
}

func TestTrajectoryIsCoarsenedSimulation(t *testing.T) {
	c := smallConfig()
	s, err := NewSolver(c)
	if err != nil {
		t.Fatal(err)
	}
	traj := make([]float32, c.TrajectoryLen())
	x := make([]float64, 2*c.Grid*c.Grid)
	if err := s.Trajectory(context.Background(), traj, x, rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatal(err)
	}
	// Replay: initial field, BurnIn + Snapshots intervals, coarsen the last.
	y := make([]float64, len(x))
	s.InitialField(y, rand.New(rand.NewPCG(1, 2)))
	for range c.BurnIn + c.Snapshots {
		s.Advance(y)
	}
	if !slices.Equal(x, y) {
		t.Fatal("Trajectory's final state is not BurnIn + Snapshots intervals from the initial field")
	}
	last := make([]float64, c.StateLen())
	Coarsen(last, y, 2, c.Grid, c.Grid, c.Factor())
	for i, v := range last {
		if got := traj[(c.Snapshots-1)*c.StateLen()+i]; got != float32(v) {
			t.Fatalf("last stored state [%d] = %v, want %v", i, got, float32(v))
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	if _, err := Generate(context.Background(), smallConfig(), 0, 1); !errors.Is(err, ErrSize) {
		t.Errorf("0 trajectories: %v, want ErrSize", err)
	}
	c := smallConfig()
	c.Resolution = 12
	if _, err := Generate(context.Background(), c, 1, 1); !errors.Is(err, ErrParams) {
		t.Errorf("resolution 12 of grid 32: %v, want ErrParams", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, DefaultConfig(), 4, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v, want context.Canceled", err)
	}
	// A forcing of 10⁴ accelerates the flow far beyond the speed the time
	// step was chosen for (Courant 0.5 at speed 5), which blows up.
	c = smallConfig()
	c.ForcingAmplitude = 1e4
	_, err := Generate(context.Background(), c, 2, 1)
	var nf *NonFiniteError
	if !errors.As(err, &nf) || !errors.Is(err, ErrNonFinite) || nf.Trajectory != 0 {
		t.Errorf("unstable run: %v, want a NonFiniteError for trajectory 0", err)
	}
}

// TestForecast checks the physical-consistency tool: upsampling a stored
// state, simulating one interval and coarsening reproduces the next stored
// state far better than persistence does.
func TestForecast(t *testing.T) {
	c := DefaultConfig()
	c.Grid, c.Resolution, c.Snapshots, c.BurnIn = 64, 32, 2, 10
	s, err := NewSolver(c)
	if err != nil {
		t.Fatal(err)
	}
	traj := make([]float32, c.TrajectoryLen())
	x := make([]float64, 2*c.Grid*c.Grid)
	if err := s.Trajectory(context.Background(), traj, x, rand.New(rand.NewPCG(8, 8))); err != nil {
		t.Fatal(err)
	}
	d := c.StateLen()
	x0, x1 := make([]float64, d), make([]float64, d)
	for i := range d {
		x0[i], x1[i] = float64(traj[i]), float64(traj[d+i])
	}
	f := make([]float64, d)
	if err := s.Forecast(f, x0); err != nil {
		t.Fatal(err)
	}
	var ef, ep float64
	for i := range d {
		ef += (f[i] - x1[i]) * (f[i] - x1[i])
		ep += (x0[i] - x1[i]) * (x0[i] - x1[i])
	}
	// Measured: 0.065 against 0.22.
	if ef > 0.25*ep {
		t.Errorf("forecast RMS error %.3g is not ≪ persistence %.3g", math.Sqrt(ef/float64(d)), math.Sqrt(ep/float64(d)))
	}
}
