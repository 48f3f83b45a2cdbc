package pipeline

import (
	"context"
	"testing"

	"sdapipe"
)

// shrink makes the default study's stages cheap without changing its
// graph: the no-op cost depends on the number of stages and outputs, not
// on their sizes.
var shrink = []string{
	"simulate.lorenz.trajectories=100", "simulate.lorenz.burn_in=10", "simulate.lorenz.length=80",
	"train.k2.steps=2", "train.k2.width=16", "train.k2.valid_windows=8", "train.k2.check_samples=4", "train.k2.check_steps=2",
	"filter.lo.particles=64", "filter.lo.keep=8", "filter.hi.particles=64", "filter.hi.keep=8",
	"observe.lo.count=1", "observe.hi.count=1",
	"sample.lo_c0.samples=2", "sample.lo_c1.samples=2", "sample.lo_c2.samples=2",
	"sample.hi_c0.samples=2", "sample.hi_c1.samples=2", "sample.hi_c2.samples=2",
	"sample.lo_c0.steps=2", "sample.lo_c1.steps=2", "sample.lo_c2.steps=2",
	"sample.hi_c0.steps=2", "sample.hi_c1.steps=2", "sample.hi_c2.steps=2",
}

// BenchmarkNoopRun measures `sdapipe run full` on the default study when
// every stage is cached: parse pipeline.hcl, take the lock, decide each
// stage from its record and check its objects and stable paths.
func BenchmarkNoopRun(b *testing.B) {
	dir := b.TempDir()
	load := func() *Config {
		cfg, diags := Load("pipeline.hcl", dir, sdapipe.DefaultPipeline, shrink)
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		return cfg
	}
	cfg := load()
	ws, err := OpenWorkspace(cfg.Workspace)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := (&Runner{Config: cfg, WS: ws, Jobs: 2}).Run(context.Background(), nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		cfg := load()
		lock, err := LockWorkspace(context.Background(), cfg.Workspace, nil)
		if err != nil {
			b.Fatal(err)
		}
		ws, err := OpenWorkspace(cfg.Workspace)
		if err != nil {
			b.Fatal(err)
		}
		res, err := (&Runner{Config: cfg, WS: ws, Jobs: 1}).Run(context.Background(), nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Outcome != Cached {
				b.Fatalf("%s %s", r.Addr, r.Outcome)
			}
		}
		lock.Unlock()
	}
}
