package slurm

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// benchStudy is a chain of three stages of a few tens of milliseconds
// each, so that a run's time is mostly the executor's.
const benchStudy = `
seed = 5
simulate "lorenz" {
  trajectories = 40
  burn_in      = 64
  length       = 64
}
observe "lo" {
  data   = simulate.lorenz
  count  = 3
  length = 17
  every  = 4
}
filter "lo" {
  observations = observe.lo
  particles    = 256
  keep         = 32
}
executor "slurm" {
  poll = "100ms"
}
`

// BenchmarkOverhead times forced reruns of one stage and of the chain of
// three, in this process (local) and as Slurm jobs (slurm), through the
// sdapipe binary: the difference per stage is what going through Slurm
// costs. It needs a cluster (SLURM_CONF), like the tests here.
func BenchmarkOverhead(b *testing.B) {
	bin := needCluster(b)
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pipeline.hcl"), []byte(benchStudy), 0o644); err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, args ...string) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	run(b, "run", "full") // the first job after a cluster starts waits for its scheduler's first pass
	run(b, "run", "full", "--executor", "slurm", "--force")
	for _, tc := range []struct{ name, target string }{{"1stage", "simulate.lorenz"}, {"3chain", "full"}} {
		for _, executor := range []string{"local", "slurm"} {
			b.Run(tc.name+"/"+executor, func(b *testing.B) {
				for b.Loop() {
					run(b, "run", tc.target, "--force", "--executor", executor)
				}
			})
		}
	}
}
