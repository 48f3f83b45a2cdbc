package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// jobStudy is the graph of graph.hcl plus a stage that splits.
const jobStudy = `
seed = 7
tsrc "root" {
  n     = 8
  value = 0.5
}
tmap "a" {
  in    = tsrc.root
  scale = 3
}
tsplit "s" {
  in    = tmap.a
  units = 7
}
`

func loadJobStudy(t *testing.T, sets ...string) (*Config, *Workspace) {
	t.Helper()
	dir := t.TempDir()
	cfg, diags := Load(testKinds, "jobs.hcl", dir, []byte(jobStudy), sets)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ws, err := OpenWorkspace(filepath.Join(dir, "ws"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg, ws
}

// localDigests runs the study in process and returns each stage's output digest.
func localDigests(t *testing.T) map[string]string {
	t.Helper()
	cfg, ws := loadJobStudy(t)
	res, err := (&Runner{Config: cfg, WS: ws, Jobs: 1}).Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range res {
		out[r.Addr] = r.Record.Outputs[0].Digest.String()
	}
	return out
}

func runJob(t *testing.T, cfg *Config, ws *Workspace, job Job) Outcome {
	t.Helper()
	o, err := RunJob(context.Background(), cfg, ws, job)
	if err != nil {
		t.Fatalf("%+v: %v", job, err)
	}
	return o
}

func recordDigest(t *testing.T, cfg *Config, ws *Workspace, addr string) string {
	t.Helper()
	rec, err := cfg.upstreamRecords(ws, cfg.Stage(addr))
	if err != nil {
		t.Fatal(err)
	}
	d, err := cfg.Decide(ws, cfg.Stage(addr), rec, false)
	if err != nil || d.Run {
		t.Fatalf("%s has no complete record: %v %v", addr, d.Reasons, err)
	}
	return d.Record.Outputs[0].Digest.String()
}

// TestJobsMatchRunner runs every stage as a batch executor would, one job
// per stage and the split stage in parts then a gather step, for several
// part counts, and compares the outputs with the in-process Runner's.
func TestJobsMatchRunner(t *testing.T) {
	want := localDigests(t)
	for _, parts := range []int{1, 2, 3, 7, 9} {
		cfg, ws := loadJobStudy(t)
		for _, addr := range []string{"tsrc.root", "tmap.a"} {
			if o := runJob(t, cfg, ws, Job{Addr: addr}); o != Ran {
				t.Fatalf("%s: %s", addr, o)
			}
		}
		for i := range parts {
			runJob(t, cfg, ws, Job{Addr: "tsplit.s", Part: i, Parts: parts})
		}
		if o := runJob(t, cfg, ws, Job{Addr: "tsplit.s", Parts: parts, Gather: true}); o != Ran {
			t.Fatalf("gather of %d parts: %s", parts, o)
		}
		for addr, d := range want {
			if got := recordDigest(t, cfg, ws, addr); got != d {
				t.Errorf("%d parts: %s wrote %s, the runner %s", parts, addr, got[:12], d[:12])
			}
		}
		// Jobs publish nothing: the driver does, under the workspace lock.
		if rec, _ := ws.Latest("tsplit.s"); rec != nil {
			t.Errorf("a job published out/tsplit.s")
		}
		if left, _ := os.ReadDir(filepath.Join(ws.Dir, "parts")); len(left) != 0 {
			t.Errorf("%d parts: the gather step left %v", parts, left)
		}
	}
}

func TestJobNeedsItsUpstream(t *testing.T) {
	cfg, ws := loadJobStudy(t)
	_, err := RunJob(context.Background(), cfg, ws, Job{Addr: "tmap.a"})
	if err == nil || !strings.Contains(err.Error(), "stage tmap.a: upstream tsrc.root is not complete") {
		t.Errorf("got %v", err)
	}
}

func TestJobOfCachedStageDoesNothing(t *testing.T) {
	cfg, ws := loadJobStudy(t)
	if _, err := (&Runner{Config: cfg, WS: ws, Jobs: 1}).Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	for _, job := range []Job{{Addr: "tmap.a"}, {Addr: "tsplit.s", Part: 1, Parts: 2}, {Addr: "tsplit.s", Parts: 2, Gather: true}} {
		if o := runJob(t, cfg, ws, job); o != Cached {
			t.Errorf("%+v: %s, want cached", job, o)
		}
	}
	if o := runJob(t, cfg, ws, Job{Addr: "tmap.a", Force: true}); o != Ran {
		t.Errorf("forced: %s, want ran", o)
	}
}

func TestGatherNeedsEveryPart(t *testing.T) {
	cfg, ws := loadJobStudy(t)
	runJob(t, cfg, ws, Job{Addr: "tsrc.root"})
	runJob(t, cfg, ws, Job{Addr: "tmap.a"})
	runJob(t, cfg, ws, Job{Addr: "tsplit.s", Part: 0, Parts: 3})
	runJob(t, cfg, ws, Job{Addr: "tsplit.s", Part: 2, Parts: 3})
	_, err := RunJob(context.Background(), cfg, ws, Job{Addr: "tsplit.s", Parts: 3, Gather: true})
	if err == nil || !strings.Contains(err.Error(), "part 1 of 3 is missing") {
		t.Fatalf("gather without part 1: %v", err)
	}
	// A part that completed is kept for the next attempt.
	if o := runJob(t, cfg, ws, Job{Addr: "tsplit.s", Part: 0, Parts: 3}); o != Cached {
		t.Errorf("part 0 again: %s, want cached", o)
	}
	runJob(t, cfg, ws, Job{Addr: "tsplit.s", Part: 1, Parts: 3})
	if o := runJob(t, cfg, ws, Job{Addr: "tsplit.s", Parts: 3, Gather: true}); o != Ran {
		t.Errorf("gather: %s", o)
	}
	if _, err := RunJob(context.Background(), cfg, ws, Job{Addr: "tmap.a", Part: 0, Parts: 2, Force: true}); err == nil {
		t.Error("a kind that does not split accepted a part")
	}
}

func TestJobErrorsNameTheStageOnce(t *testing.T) {
	cfg, ws := loadJobStudy(t, "tmap.a.fail=true")
	runJob(t, cfg, ws, Job{Addr: "tsrc.root"})
	_, err := RunJob(context.Background(), cfg, ws, Job{Addr: "tmap.a"})
	if err == nil || err.Error() != "stage tmap.a: asked to fail" {
		t.Errorf("got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg, ws = loadJobStudy(t)
	runJob(t, cfg, ws, Job{Addr: "tsrc.root"})
	runJob(t, cfg, ws, Job{Addr: "tmap.a"})
	if _, err := RunJob(ctx, cfg, ws, Job{Addr: "tsplit.s", Part: 0, Parts: 2}); !errors.Is(err, context.Canceled) ||
		strings.Count(err.Error(), "stage tsplit.s") != 1 {
		t.Errorf("cancelled part: %v", err)
	}
}

// TestPlanKey: a stage's plan key follows its own parameters and those of
// everything upstream, and nothing downstream.
func TestPlanKey(t *testing.T) {
	base, _ := loadJobStudy(t)
	tests := []struct {
		set     string
		changed []string
	}{
		{"tsplit.s.units=8", []string{"tsplit.s"}},
		{"tmap.a.scale=4", []string{"tmap.a", "tsplit.s"}},
		{"tsrc.root.value=1.5", []string{"tsrc.root", "tmap.a", "tsplit.s"}},
	}
	for _, tc := range tests {
		cfg, _ := loadJobStudy(t, tc.set)
		var changed []string
		for _, addr := range []string{"tsrc.root", "tmap.a", "tsplit.s"} {
			if cfg.PlanKey(addr) != base.PlanKey(addr) {
				changed = append(changed, addr)
			}
		}
		if strings.Join(changed, " ") != strings.Join(tc.changed, " ") {
			t.Errorf("--set %s changed the plan keys of %v, want %v", tc.set, changed, tc.changed)
		}
	}
	again, _ := loadJobStudy(t)
	if again.PlanKey("tsplit.s") != base.PlanKey("tsplit.s") {
		t.Error("plan key differs between two loads of one config")
	}
}
