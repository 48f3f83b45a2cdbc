package pipeline

import (
	"context"
	"testing"

	"sdapipe"
)

// shrink returns overrides that make the default study's stages cheap
// without changing its graph: the no-op cost depends on the number of
// stages and outputs, not on their sizes.
func shrink() []string {
	byKind := map[string][]string{
		"simulate":   {"trajectories=100", "burn_in=10", "length=80"},
		"train":      {"steps=2", "resmlp.width=16", "valid_windows=8", "check_samples=4", "check_steps=2"},
		"observe":    {"count=1"},
		"filter":     {"particles=64", "keep=8"},
		"sample":     {"samples=2", "steps=2"},
		"assimilate": {"members=4"},
	}
	cfg, diags := Load(testKinds, "pipeline.hcl", ".", sdapipe.DefaultPipeline, nil)
	if diags.HasErrors() {
		panic(diags.Error())
	}
	var sets []string
	for _, st := range cfg.Stages {
		for _, kv := range byKind[st.Kind.Name] {
			sets = append(sets, st.Addr+"."+kv)
		}
	}
	return sets
}

// BenchmarkNoopRun measures `sdapipe run full` on the default study when
// every stage is cached: parse pipeline.hcl, take the lock, decide each
// stage from its record and check its objects and stable paths.
func BenchmarkNoopRun(b *testing.B) {
	dir := b.TempDir()
	sets := shrink()
	load := func() *Config {
		cfg, diags := Load(testKinds, "pipeline.hcl", dir, sdapipe.DefaultPipeline, sets)
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
