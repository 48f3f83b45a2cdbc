package slurm

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"sdapipe/artifacts"
	"sdapipe/pipeline"
)

// A Driver runs a pipeline on Slurm: it submits one job per stage that
// must run (a job array and a gather job for a stage that splits), chained
// by afterok dependencies, then follows them until they end. The caller
// holds the workspace lock for the whole run; the jobs take no lock (see
// pipeline.RunJob) and the driver publishes each stage's outputs when it
// sees its job complete.
type Driver struct {
	Config   *pipeline.Config
	WS       *pipeline.Workspace
	Settings *Settings
	Cluster  Cluster
	// Binary is the sdapipe executable the jobs run. It must exist at
	// the same path on the compute nodes (a shared file system), as must
	// the workspace.
	Binary   string
	LogLevel string // the jobs' --log-level; "" is info
	Log      hclog.Logger
	Force    map[string]bool // stage addresses to rerun even when cached
	// Patience is how long the driver keeps asking when Slurm does not
	// answer before it gives up (leaving the jobs queued); 0 is 2 minutes.
	Patience time.Duration
	// Grace is how long a completed job's record may take to become
	// visible (a shared file system's attribute cache); 0 is 30 s.
	Grace time.Duration
}

// run is the state of one Driver.Run.
type run struct {
	*Driver
	ws       string // workspace directory
	snapshot string // name of the config snapshot the jobs load
	reg      *registry
	order    []*pipeline.Stage
	results  map[string]*pipeline.Result
	records  map[string]*pipeline.Record
	active   map[string]*flight // stages with jobs in this run
	lost     error              // set when Slurm stopped answering
}

// A flight is a stage whose jobs this run submitted or re-attached to.
type flight struct {
	st          *pipeline.Stage
	e           *entry
	dec         pipeline.Decision
	reattached  bool
	state       string    // last logged state of the stage's job
	partsDone   int       // array tasks seen completed
	completedAt time.Time // when the job was first seen completed without a visible record
}

func (r *run) logger(addr string) hclog.Logger {
	if r.Log == nil {
		return hclog.NewNullLogger()
	}
	return r.Log.Named(addr)
}

// Run brings the target stages (all when empty) and everything upstream
// up to date on Slurm, and returns every stage's result in topological
// order, like pipeline.Runner.Run. Stages whose jobs an earlier driver
// submitted for the same computation and that are still queued or
// running are re-attached to, not submitted again. When ctx is cancelled
// it cancels the jobs it submitted or re-attached to and returns
// ctx.Err().
func (d *Driver) Run(ctx context.Context, targets []string) ([]*pipeline.Result, error) {
	if len(targets) == 0 {
		targets = d.Config.Addrs()
	}
	if d.LogLevel == "" {
		d.LogLevel = "info"
	}
	r := &run{Driver: d, ws: d.WS.Dir, order: d.Config.Closure(targets),
		results: map[string]*pipeline.Result{}, records: map[string]*pipeline.Record{}, active: map[string]*flight{}}
	var err error
	if r.reg, err = loadRegistry(r.ws); err != nil {
		return nil, err
	}
	if r.snapshot, err = writeSnapshot(r.ws, d.Config); err != nil {
		return nil, fmt.Errorf("store the config for the jobs: %w", err)
	}
	for _, dir := range []string{logDir(r.ws), exitDir(r.ws)} {
		if err := artifacts.EnsureDirUnder(r.ws, dir, 0o755); err != nil {
			return nil, err
		}
	}
	// What became of the jobs earlier drivers left in flight.
	var ids []string
	for _, st := range r.order {
		if e := r.reg.Stages[st.Addr]; e != nil {
			ids = append(ids, e.jobs()...)
		}
	}
	earlier, err := d.Cluster.Query(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("ask Slurm about the jobs of an earlier run: %w", err)
	}
	r.submitAll(ctx, byJob(earlier))
	r.follow(ctx)
	return r.finish(ctx)
}

func byJob(tasks []Task) map[string][]Task {
	m := map[string][]Task{}
	for _, t := range tasks {
		m[t.Job] = append(m[t.Job], t)
	}
	return m
}

// submitAll walks the stages in topological order: a stage whose
// upstream is complete is decided against the cache, and one that must
// run, or waits on a stage running in this run, gets its jobs.
func (r *run) submitAll(ctx context.Context, earlier map[string][]Task) {
	for _, st := range r.order {
		if ctx.Err() != nil {
			return
		}
		if up := r.failedDep(st); up != "" {
			r.finishStage(st, &pipeline.Result{Decision: pipeline.Decision{Addr: st.Addr,
				Reasons: []string{"upstream " + up + " did not complete"}}, Outcome: pipeline.Skipped})
			r.dropEarlier(ctx, st, earlier, "its upstream "+up+" did not complete")
			continue
		}
		var waiting []string
		for _, dep := range st.Deps() {
			if r.active[dep] != nil {
				waiting = append(waiting, dep)
			}
		}
		dec := pipeline.Decision{Addr: st.Addr, Run: true}
		if len(waiting) == 0 {
			var err error
			dec, err = r.Config.Decide(r.WS, st, r.records, r.Force[st.Addr])
			if err != nil {
				r.fail(st, fmt.Errorf("stage %s: %w", st.Addr, err))
				continue
			}
			if !dec.Run {
				r.cached(st, dec)
				// A job of an earlier run may still be finishing (its record
				// is written, its process not yet ended), with re-attached
				// jobs waiting on it: cancelling it would make Slurm cancel
				// them. It is forgotten instead.
				r.forgetEarlier(st)
				continue
			}
		} else {
			for _, w := range waiting {
				dec.Reasons = append(dec.Reasons, "upstream "+w+" runs first")
			}
		}
		if r.reattach(st, dec, earlier) {
			continue
		}
		r.dropEarlier(ctx, st, earlier, "")
		r.submit(ctx, st, dec, waiting)
	}
}

// failedDep returns a dependency of st that failed or was skipped.
func (r *run) failedDep(st *pipeline.Stage) string {
	for _, dep := range st.Deps() {
		if res := r.results[dep]; res != nil && (res.Outcome == pipeline.Failed || res.Outcome == pipeline.Skipped) {
			return dep
		}
	}
	return ""
}

func (r *run) cached(st *pipeline.Stage, dec pipeline.Decision) {
	if err := r.WS.Publish(dec.Record); err != nil {
		r.fail(st, fmt.Errorf("stage %s: publish outputs: %w", st.Addr, err))
		return
	}
	r.records[st.Addr] = dec.Record
	r.results[st.Addr] = &pipeline.Result{Decision: dec, Outcome: pipeline.Cached}
	r.logger(st.Addr).Info("cached", "key", dec.Key.String()[:12])
}

func (r *run) fail(st *pipeline.Stage, err error) {
	r.logger(st.Addr).Error("failed", "error", err)
	r.finishStage(st, &pipeline.Result{Decision: pipeline.Decision{Addr: st.Addr}, Outcome: pipeline.Failed, Err: err})
}

// finishStage records a stage's result and forgets its jobs.
func (r *run) finishStage(st *pipeline.Stage, res *pipeline.Result) {
	r.results[st.Addr] = res
	if f := r.active[st.Addr]; f != nil {
		delete(r.active, st.Addr)
		if r.reg.Stages[st.Addr] == f.e {
			delete(r.reg.Stages, st.Addr)
			removeExits(r.ws, f.e)
			r.saveRegistry()
		}
	}
}

func (r *run) saveRegistry() {
	if err := r.reg.save(r.ws); err != nil {
		r.logger("slurm").Warn("could not record the jobs in flight; a driver that crashes now cannot re-attach to them", "error", err)
	}
}

// terminal says whether a job state is final.
func terminal(state string) bool {
	switch state {
	case "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED",
		"BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT", "REVOKED":
		return true
	}
	return false
}

// doomed lists the reasons for which a pending job will never start.
var doomed = map[string]string{
	"DependencyNeverSatisfied": "a job it depends on did not complete",
	"PartitionConfig":          "it asks for more CPUs, memory or GPUs than the partition's nodes have",
	"PartitionTimeLimit":       "its time limit exceeds the partition's",
	"PartitionNodeLimit":       "it asks for more nodes than the partition allows",
	"BadConstraints":           "its constraints cannot be satisfied",
	"InvalidAccount":           "its account is invalid",
	"InvalidQOS":               "its QOS is invalid",
	"AccountNotAllowed":        "its account may not use the partition",
}

// live says whether a job's tasks may still run.
func live(tasks []Task) bool {
	for _, t := range tasks {
		if !terminal(t.State) && !(t.State == "PENDING" && doomed[t.Reason] != "") {
			return true
		}
	}
	return false
}

// reattach adopts the jobs an earlier driver submitted for st when they
// are still queued or running, compute what st needs now (same plan
// key), and wait on nothing this run submitted anew.
func (r *run) reattach(st *pipeline.Stage, dec pipeline.Decision, earlier map[string][]Task) bool {
	e := r.reg.Stages[st.Addr]
	if e == nil || e.Plan != r.Config.PlanKey(st.Addr).String() || !live(earlier[e.Job]) {
		return false
	}
	for _, dep := range st.Deps() {
		if f := r.active[dep]; f != nil && !f.reattached {
			return false
		}
	}
	f := &flight{st: st, e: e, dec: dec, reattached: true}
	r.active[st.Addr] = f
	state := "gone"
	if t := earlier[e.Job]; len(t) > 0 {
		state = t[0].State
	}
	r.logger(st.Addr).Info(fmt.Sprintf("re-attached to %s of an earlier run (%s); log %s", describe(e), state, e.Log))
	return true
}

// dropEarlier forgets the jobs an earlier driver left for st, cancelling
// those that may still run. why says why they are not needed; "" means
// st is submitted anew.
func (r *run) dropEarlier(ctx context.Context, st *pipeline.Stage, earlier map[string][]Task, why string) {
	e := r.reg.Stages[st.Addr]
	if e == nil || r.active[st.Addr] != nil && r.active[st.Addr].e == e {
		return
	}
	log := r.logger(st.Addr)
	var tasks []Task
	for _, id := range e.jobs() {
		tasks = append(tasks, earlier[id]...)
	}
	if live(tasks) {
		if why == "" {
			why = "it computes what an earlier config asked for"
		}
		log.Info(fmt.Sprintf("cancelling %s of an earlier run: %s", describe(e), why))
		if err := r.Cluster.Cancel(ctx, e.jobs()); err != nil {
			log.Warn("could not cancel", "error", err)
		}
	} else if why == "" {
		log.Info(fmt.Sprintf("%s of an earlier run ended without completing the stage; submitting it again", describe(e)))
	}
	delete(r.reg.Stages, st.Addr)
	removeExits(r.ws, e)
	r.saveRegistry()
}

// forgetEarlier drops the jobs an earlier driver left for st from the
// registry without cancelling them.
func (r *run) forgetEarlier(st *pipeline.Stage) {
	if e := r.reg.Stages[st.Addr]; e != nil {
		delete(r.reg.Stages, st.Addr)
		removeExits(r.ws, e)
		r.saveRegistry()
	}
}

// describe names an entry's jobs, e.g. "job 12" or "array 13 (4 tasks) and gather job 14".
func describe(e *entry) string {
	if e.Array != "" {
		return fmt.Sprintf("array %s (%d tasks) and gather job %s", e.Array, e.Tasks, e.Job)
	}
	return "job " + e.Job
}

// submit submits st's jobs after the final jobs of the stages it waits on.
func (r *run) submit(ctx context.Context, st *pipeline.Stage, dec pipeline.Decision, waiting []string) {
	log := r.logger(st.Addr)
	var after []string
	for _, w := range waiting {
		after = append(after, r.active[w].e.Job)
	}
	tasks := r.Settings.For(st).Array
	if tasks > 1 && len(waiting) == 0 {
		// The upstream is complete, so the number of units is known: no
		// task needs to start with nothing to do.
		if units, err := r.Config.Units(r.WS, st, r.records); err == nil && units < tasks {
			tasks = max(units, 1)
		}
	}
	e := &entry{Stage: st.Addr, Plan: r.Config.PlanKey(st.Addr).String(), Snapshot: r.snapshot, Submitted: time.Now().UTC()}
	// An sbatch killed half way may have submitted a job whose id is then
	// lost, so submissions are not cut short by an interrupt; the caller
	// checks ctx between them.
	ctx = context.WithoutCancel(ctx)
	var err error
	if tasks > 1 {
		if e.Array, err = r.Cluster.Submit(ctx, r.request(st, part, tasks, after)); err == nil {
			e.Tasks = tasks
			if e.Job, err = r.Cluster.Submit(ctx, r.request(st, gather, tasks, []string{e.Array})); err != nil {
				if cerr := r.Cluster.Cancel(ctx, []string{e.Array}); cerr != nil {
					log.Warn("could not cancel the array of a stage whose gather job failed to submit", "error", cerr)
				}
			}
		}
	} else {
		e.Job, err = r.Cluster.Submit(ctx, r.request(st, whole, 0, after))
	}
	if err != nil {
		r.fail(st, fmt.Errorf("stage %s: submit: %w", st.Addr, err))
		return
	}
	e.Log = fmt.Sprintf("%s/%s.%s.out", logDir(r.ws), st.Addr, e.Job)
	r.reg.Stages[st.Addr] = e
	r.saveRegistry()
	r.active[st.Addr] = &flight{st: st, e: e, dec: dec}
	waits := ""
	if len(after) > 0 {
		waits = " after job " + strings.Join(after, ", ")
	}
	log.Info(fmt.Sprintf("submitted %s%s: %s; log %s", describe(e), waits, strings.Join(dec.Reasons, "; "), e.Log))
}
