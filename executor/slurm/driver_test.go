package slurm

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sdapipe/pipeline"
	"sdapipe/stages"
)

// fakeCluster stands in for Slurm in the driver's tests: a job runs, in
// this process and through pipeline.RunJob as the real job's script
// would, once every job it depends on completed; a job whose dependency
// failed or was cancelled is cancelled
// (--kill-on-invalid-dep). Each query moves each job one step, so a chain
// takes a query per hop, and jobs of a stage can be held RUNNING.
type fakeCluster struct {
	cfg *pipeline.Config
	ws  *pipeline.Workspace

	mu        sync.Mutex
	next      int
	jobs      map[string]*fakeJob
	order     []string
	submitted []Request
	cancelled []string
	fail      map[string]bool // stages whose jobs exit 1
	holdUntil map[string]int  // jobs of a stage stay RUNNING until that many queries were made
	queries   int
}

type fakeJob struct {
	req    Request
	state  string
	reason string
	exit   int
}

func newFake(cfg *pipeline.Config, ws *pipeline.Workspace) *fakeCluster {
	return &fakeCluster{cfg: cfg, ws: ws, next: 100, jobs: map[string]*fakeJob{}, fail: map[string]bool{}, holdUntil: map[string]int{}}
}

func (f *fakeCluster) Submit(ctx context.Context, r Request) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	id := strconv.Itoa(f.next)
	f.jobs[id] = &fakeJob{req: r, state: "PENDING", reason: "Dependency"}
	f.order = append(f.order, id)
	f.submitted = append(f.submitted, r)
	return id, nil
}

// addr and share of a job from its name, "sdapipe:ADDR[:parts|:gather]".
func (j *fakeJob) stage() (string, string) {
	name := strings.TrimPrefix(j.req.Name, "sdapipe:")
	if a, sh, ok := strings.Cut(name, ":"); ok {
		return a, sh
	}
	return name, ""
}

// advance moves every job one step, as one pass of a scheduler would: a
// pending job whose dependencies had all completed starts; a running job
// that is not held runs its share and completes (or fails).
func (f *fakeCluster) advance() {
	f.queries++
	before := map[string]string{}
	for id, j := range f.jobs {
		before[id] = j.state
	}
	for _, id := range f.order {
		j := f.jobs[id]
		addr, sh := j.stage()
		switch j.state {
		case "PENDING":
			ready := true
			for _, dep := range j.req.After {
				switch before[dep] {
				case "COMPLETED":
				case "FAILED", "CANCELLED":
					j.state, j.reason = "CANCELLED", "DependencyNeverSatisfied"
					ready = false
				default:
					ready = false
				}
			}
			if ready {
				j.state, j.reason = "RUNNING", ""
			}
		case "RUNNING":
			if f.queries < f.holdUntil[addr] {
				continue
			}
			j.state = "COMPLETED"
			force := strings.Contains(j.req.Script, " --force ")
			var jobs []pipeline.Job
			switch sh {
			case "parts":
				for i := range j.req.Array {
					jobs = append(jobs, pipeline.Job{Addr: addr, Part: i, Parts: j.req.Array, Force: force})
				}
			case "gather":
				jobs = []pipeline.Job{{Addr: addr, Parts: f.jobs[j.req.After[0]].req.Array, Gather: true, Force: force}}
			default:
				jobs = []pipeline.Job{{Addr: addr, Force: force}}
			}
			for _, job := range jobs {
				if _, err := pipeline.RunJob(context.Background(), f.cfg, f.ws, job); err != nil || f.fail[addr] {
					j.state, j.reason, j.exit = "FAILED", "NonZeroExitCode", 1
				}
			}
		}
	}
}

func (f *fakeCluster) Query(ctx context.Context, ids []string) ([]Task, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.advance()
	var out []Task
	for _, id := range ids {
		j, ok := f.jobs[id]
		if !ok {
			continue
		}
		if j.req.Array == 0 {
			out = append(out, Task{Job: id, Index: -1, State: j.state, Reason: j.reason, Exit: j.exit})
			continue
		}
		for i := range j.req.Array {
			out = append(out, Task{Job: id, Index: i, State: j.state, Reason: j.reason, Exit: j.exit})
		}
	}
	return out, nil
}

func (f *fakeCluster) Cancel(ctx context.Context, ids []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		f.cancelled = append(f.cancelled, id)
		if j, ok := f.jobs[id]; ok && !terminal(j.state) {
			j.state, j.reason = "CANCELLED", ""
		}
	}
	return nil
}

// fakeStudy loads the test study, with 10 training steps, into a workspace.
func fakeStudy(t *testing.T) (*pipeline.Config, *pipeline.Workspace, *Settings) {
	t.Helper()
	dir := t.TempDir()
	src := strings.Replace(study, "TRAIN_STEPS", "10", 1)
	src = strings.Replace(src, "valid_every   = 30", "valid_every   = 5", 1)
	cfg, diags := pipeline.Load(stages.Default(), "study.hcl", dir, []byte(src), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ws, err := pipeline.OpenWorkspace(cfg.Workspace)
	if err != nil {
		t.Fatal(err)
	}
	s, diags := Decode(cfg)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	s.Poll = 5 * time.Millisecond
	return cfg, ws, s
}

// fakeTargets leaves out evaluate.lo, the slowest stage under the race
// detector; the tests on a real cluster run it.
var fakeTargets = []string{"filter.lo", "sample.a"}

func drive(t *testing.T, ctx context.Context, cfg *pipeline.Config, ws *pipeline.Workspace, s *Settings, c Cluster) ([]*pipeline.Result, error) {
	t.Helper()
	d := &Driver{Config: cfg, WS: ws, Settings: s, Cluster: c, Binary: "/bin/sdapipe"}
	return d.Run(ctx, fakeTargets)
}

func outcomesOf(res []*pipeline.Result) string {
	var s []string
	for _, r := range res {
		s = append(s, r.Addr+"="+string(r.Outcome))
	}
	return strings.Join(s, " ")
}

func TestDriverMatchesLocalRunner(t *testing.T) {
	cfg, ws, s := fakeStudy(t)
	fake := newFake(cfg, ws)
	res, err := drive(t, context.Background(), cfg, ws, s, fake)
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomesOf(res); strings.Count(got, "=ran") != 5 {
		t.Fatalf("outcomes: %s", got)
	}
	// One job per stage, sample as an array of 3 and a gather job, each
	// after the jobs of the stages it reads.
	var names []string
	after := map[string][]string{}
	ids := map[string]string{}
	for i, r := range fake.submitted {
		names = append(names, r.Name)
		ids[r.Name] = strconv.Itoa(101 + i)
		after[r.Name] = r.After
	}
	want := []string{"sdapipe:simulate.lorenz", "sdapipe:observe.lo", "sdapipe:filter.lo", "sdapipe:train.k2",
		"sdapipe:sample.a:parts", "sdapipe:sample.a:gather"}
	if !slices.Equal(names, want) {
		t.Fatalf("submitted %v, want %v", names, want)
	}
	for name, deps := range map[string][]string{
		"sdapipe:sample.a:parts":  {"sdapipe:observe.lo", "sdapipe:train.k2"},
		"sdapipe:sample.a:gather": {"sdapipe:sample.a:parts"},
		"sdapipe:filter.lo":       {"sdapipe:observe.lo"},
	} {
		var w []string
		for _, d := range deps {
			w = append(w, ids[d])
		}
		if !slices.Equal(after[name], w) {
			t.Errorf("%s after %v, want %v", name, after[name], w)
		}
	}
	if fake.submitted[4].Array != 3 {
		t.Errorf("sample's array has %d tasks, want 3", fake.submitted[4].Array)
	}

	// The same study in process: the same records, key by key.
	lcfg, lws, _ := fakeStudy(t)
	local, err := (&pipeline.Runner{Config: lcfg, WS: lws, Jobs: 1}).Run(context.Background(), fakeTargets)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range local {
		if res[i].Key != r.Key || fmt.Sprint(res[i].Record.Outputs) != fmt.Sprint(r.Record.Outputs) {
			t.Errorf("%s: the driver's record differs from the runner's", r.Addr)
		}
		if pub, err := ws.Latest(r.Addr); err != nil || pub == nil || pub.Key != r.Key.String() {
			t.Errorf("%s: not published", r.Addr)
		}
	}

	again, err := drive(t, context.Background(), cfg, ws, s, fake)
	if err != nil || strings.Count(outcomesOf(again), "=cached") != 5 || len(fake.submitted) != 6 {
		t.Errorf("second run: %s, %d submissions, %v", outcomesOf(again), len(fake.submitted), err)
	}
}

func TestDriverFailureSkipsDependents(t *testing.T) {
	cfg, ws, s := fakeStudy(t)
	fake := newFake(cfg, ws)
	fake.fail["train.k2"] = true
	res, err := drive(t, context.Background(), cfg, ws, s, fake)
	var re *pipeline.RunError
	if !errors.As(err, &re) || !slices.Equal(re.Failed, []string{"train.k2"}) {
		t.Fatalf("error %v", err)
	}
	want := "simulate.lorenz=ran observe.lo=ran filter.lo=ran train.k2=failed sample.a=skipped"
	if got := outcomesOf(res); got != want {
		t.Errorf("outcomes %s\nwant     %s", got, want)
	}
	if msg := err.Error(); !strings.Contains(msg, "stage train.k2: Slurm job 104 failed (exit status 1); no log at ") {
		t.Errorf("message: %s", msg)
	}
	if len(fake.cancelled) != 0 {
		t.Errorf("the driver cancelled %v; Slurm cancels the dependents", fake.cancelled)
	}
	if reg, _ := loadRegistry(ws.Dir); len(reg.Stages) != 0 {
		t.Errorf("jobs left in the registry: %v", reg.Stages)
	}
}

// TestDriverEarlierJobs: a later driver re-attaches to jobs still in flight
// that compute what it needs, forgets those of stages now cached (without
// cancelling them: re-attached jobs may wait on them), and cancels those
// that compute something else.
func TestDriverEarlierJobs(t *testing.T) {
	cfg, ws, s := fakeStudy(t)
	fake := newFake(cfg, ws)
	fake.holdUntil["train.k2"] = 1 << 30
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		drive(t, ctx, cfg, ws, s, fake)
	}()
	// The driver "dies" once train runs. Its context ends, so it cancels
	// its jobs; the test then puts them back as a driver killed by SIGKILL
	// would have left them, with its registry.
	waitFor(t, 10*time.Second, "train.k2 to run and filter.lo to be published", func() bool {
		fake.mu.Lock()
		j := fake.jobs["104"]
		running := j != nil && j.state == "RUNNING"
		fake.mu.Unlock()
		rec, _ := ws.Latest("filter.lo")
		return running && rec != nil
	})
	reg, err := loadRegistry(ws.Dir)
	if err != nil || reg.Stages["train.k2"] == nil || reg.Stages["sample.a"] == nil {
		t.Fatalf("registry while train runs: %v %v", reg, err)
	}
	// An earlier job of a stage that is cached now, still finishing.
	reg.Stages["simulate.lorenz"] = &entry{Stage: "simulate.lorenz", Job: "101", Plan: cfg.PlanKey("simulate.lorenz").String()}
	fake.mu.Lock()
	fake.jobs["101"].state = "COMPLETING"
	fake.mu.Unlock()
	if err := reg.save(ws.Dir); err != nil {
		t.Fatal(err)
	}
	snapshotRegistry := *reg
	cancel()
	<-done
	if err := snapshotRegistry.save(ws.Dir); err != nil { // as the killed driver left it
		t.Fatal(err)
	}
	fake.mu.Lock()
	for _, id := range fake.order {
		if j := fake.jobs[id]; j.state == "CANCELLED" {
			j.state = map[bool]string{true: "RUNNING", false: "PENDING"}[id == "104"]
		}
	}
	// Train runs on until the new driver has re-attached to it.
	fake.cancelled, fake.holdUntil["train.k2"] = nil, fake.queries+2
	fake.mu.Unlock()

	res, err := drive(t, context.Background(), cfg, ws, s, fake)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fake.submitted); n != 6 {
		t.Errorf("the second driver submitted %d jobs, want none", n-6)
	}
	if len(fake.cancelled) != 0 {
		t.Errorf("the second driver cancelled %v", fake.cancelled)
	}
	if got := outcomesOf(res); strings.Count(got, "=ran") != 2 {
		t.Errorf("outcomes %s: train and sample ran under the re-attached jobs", got)
	}
	for _, r := range res[3:] {
		if !strings.HasPrefix(r.Job, "Slurm job ") || r.Job == "Slurm job " {
			t.Errorf("%s: job %q", r.Addr, r.Job)
		}
	}

	// A changed parameter: the jobs in flight compute what is no longer
	// asked for, so they are cancelled and the stages submitted again.
	cfg2, diags := pipeline.Load(stages.Default(), "study.hcl", cfg.Dir, cfg.Source, []string{"train.k2.batch=16"})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	stale := &registry{Format: registryFormat, Stages: map[string]*entry{
		"train.k2": {Stage: "train.k2", Job: "900", Plan: cfg.PlanKey("train.k2").String()},
	}}
	stale.save(ws.Dir)
	fake.mu.Lock()
	fake.jobs["900"] = &fakeJob{req: Request{Name: "sdapipe:train.k2"}, state: "RUNNING"}
	fake.cfg, fake.holdUntil["train.k2"] = cfg2, fake.queries+2
	fake.mu.Unlock()
	if _, err := drive(t, context.Background(), cfg2, ws, s, fake); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fake.cancelled, []string{"900"}) || len(fake.submitted) != 6+3 {
		t.Errorf("changed config: cancelled %v, %d new submissions, want train's and sample's 3", fake.cancelled, len(fake.submitted)-6)
	}
}

func TestDriverInterruptCancels(t *testing.T) {
	cfg, ws, s := fakeStudy(t)
	fake := newFake(cfg, ws)
	fake.holdUntil["train.k2"] = 1 << 30
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		waitFor(t, 10*time.Second, "train.k2 to run", func() bool {
			fake.mu.Lock()
			defer fake.mu.Unlock()
			j := fake.jobs["104"]
			return j != nil && j.state == "RUNNING"
		})
		cancel()
	}()
	res, err := drive(t, ctx, cfg, ws, s, fake)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
	// filter.lo's job (103) may still have been in flight too.
	for _, id := range []string{"104", "105", "106"} {
		if !slices.Contains(fake.cancelled, id) {
			t.Errorf("cancelled %v, not %s: want train's, and sample's array and gather", fake.cancelled, id)
		}
	}
	for _, id := range fake.cancelled {
		if fake.jobs[id].state != "CANCELLED" {
			t.Errorf("job %s was cancelled after it ended", id)
		}
	}
	if got := outcomesOf(res); !strings.Contains(got, "train.k2=skipped sample.a=skipped") {
		t.Errorf("outcomes %s", got)
	}
	if _, err := loadRegistry(ws.Dir); err != nil {
		t.Fatal(err)
	}
	if reg, _ := loadRegistry(ws.Dir); len(reg.Stages) != 0 {
		t.Errorf("registry after an interrupt that cancelled everything: %v", reg.Stages)
	}
	if filepath.Base(ws.Dir) != "ws" {
		t.Fatal(ws.Dir)
	}
}
