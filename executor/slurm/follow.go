package slurm

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"sdapipe/pipeline"
)

// follow polls Slurm until every stage with jobs in this run has a result,
// the context is cancelled, or Slurm stops answering.
func (r *run) follow(ctx context.Context) {
	patience := r.Patience
	if patience == 0 {
		patience = 2 * time.Minute
	}
	tick := time.NewTicker(r.Settings.Poll)
	defer tick.Stop()
	lastAnswer, lastBeat := time.Now(), time.Now()
	for len(r.active) > 0 {
		select {
		case <-ctx.Done():
			r.interrupt()
			return
		case <-tick.C:
		}
		var ids []string
		for _, f := range r.active {
			ids = append(ids, f.e.jobs()...)
		}
		tasks, err := r.Cluster.Query(ctx, ids)
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			if time.Since(lastAnswer) > patience {
				r.loseContact(err)
				return
			}
			r.logger("slurm").Debug("squeue failed; asking again", "error", err)
			continue
		}
		lastAnswer = time.Now()
		jobs := byJob(tasks)
		for _, st := range r.order {
			if f := r.active[st.Addr]; f != nil {
				r.update(ctx, f, jobs)
			}
		}
		if time.Since(lastBeat) > 30*time.Second && len(r.active) > 0 {
			lastBeat = time.Now()
			r.heartbeat(jobs)
		}
	}
}

// heartbeat logs what the run still waits for.
func (r *run) heartbeat(jobs map[string][]Task) {
	var waiting []string
	for _, st := range r.order {
		if f := r.active[st.Addr]; f != nil {
			waiting = append(waiting, st.Addr+" ("+summarize(append(jobs[f.e.Array], jobs[f.e.Job]...), f.e)+")")
		}
	}
	r.logger("slurm").Info(fmt.Sprintf("waiting for %d stages: %s", len(waiting), strings.Join(waiting, ", ")))
}

// failedState explains the states of a job that ended without success.
var failedState = map[string]string{
	"FAILED":        "failed",
	"TIMEOUT":       "reached its time limit",
	"OUT_OF_MEMORY": "ran out of memory",
	"NODE_FAIL":     "lost its node",
	"PREEMPTED":     "was preempted",
	"BOOT_FAIL":     "could not boot its node",
	"DEADLINE":      "missed its deadline",
	"SPECIAL_EXIT":  "ended with a special exit",
	"REVOKED":       "was revoked",
}

// update looks at a stage's jobs and, when they have ended, gives the
// stage its result.
func (r *run) update(ctx context.Context, f *flight, jobs map[string][]Task) {
	log := r.logger(f.st.Addr)
	var parts []Task
	if f.e.Array != "" {
		parts = r.withExits(f.e.Array, f.e.Tasks, jobs[f.e.Array])
		done := 0
		for _, t := range parts {
			if t.State == "COMPLETED" {
				done++
			}
		}
		if done != f.partsDone {
			f.partsDone = done
			log.Info(fmt.Sprintf("parts: %d of %d done (array %s)", done, f.e.Tasks, f.e.Array))
		}
	}
	main := r.withExits(f.e.Job, -1, jobs[f.e.Job])
	t := main[0]
	if t.State != f.state {
		f.state = t.State
		if t.State == "RUNNING" {
			log.Info("running: job " + f.e.Job)
		} else if t.State == "PENDING" && t.Reason != "" && t.Reason != "Dependency" {
			log.Debug("pending: job "+f.e.Job, "reason", t.Reason)
		}
	}
	for _, p := range parts {
		if p.State == "PENDING" && doomed[p.Reason] != "" && p.Reason != "DependencyNeverSatisfied" {
			t = p
		}
	}
	switch {
	case t.State == "COMPLETED":
		r.completed(f, log)
	case t.State == "PENDING" && doomed[t.Reason] != "" && t.Reason != "DependencyNeverSatisfied":
		// Slurm keeps such a job pending forever.
		if err := r.Cluster.Cancel(context.WithoutCancel(ctx), f.e.jobs()); err != nil {
			log.Warn("could not cancel", "error", err)
		}
		r.fail(f.st, fmt.Errorf("stage %s: Slurm will never start job %s (Reason=%s): %s; change the stage's resources in the executor \"slurm\" block",
			f.st.Addr, f.e.Job, t.Reason, doomed[t.Reason]))
	case failedState[t.State] != "":
		if !live(parts) {
			r.fail(f.st, fmt.Errorf("stage %s: Slurm job %s %s; %s", f.st.Addr, f.e.Job, exitText(t), logTail(f.e.Log)))
		}
	case t.State == "CANCELLED" || t.State == "GONE" || t.State == "PENDING" && t.Reason == "DependencyNeverSatisfied":
		r.cancelled(f, t, parts)
	}
}

// withExits returns the tasks Slurm reports for a job (index -1) or for
// the n tasks of an array, standing in for each one Slurm no longer
// knows: COMPLETED or FAILED from its exit file, else GONE.
func (r *run) withExits(job string, n int, tasks []Task) []Task {
	if n < 0 {
		if len(tasks) > 0 {
			return tasks[:1]
		}
		return []Task{gone(r.ws, job, -1)}
	}
	have := map[int]bool{}
	for _, t := range tasks {
		have[t.Index] = true
	}
	out := append([]Task(nil), tasks...)
	for i := range n {
		if !have[i] {
			out = append(out, gone(r.ws, job, i))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out
}

func gone(ws, job string, index int) Task {
	t := Task{Job: job, Index: index, State: "GONE"}
	if code, ok := readExit(ws, job, index); ok {
		t.State, t.Exit = "COMPLETED", code
		if code != 0 {
			t.State = "FAILED"
		}
		if code > 128 {
			t.Exit, t.Signal = 0, code-128
		}
	}
	return t
}

// exitText says how a job that did not succeed ended.
func exitText(t Task) string {
	s := failedState[t.State]
	if s == "" {
		s = strings.ToLower(t.State)
	}
	switch {
	case t.Signal != 0:
		s += fmt.Sprintf(" (killed by signal %d)", t.Signal)
	case t.Exit != 0:
		s += fmt.Sprintf(" (exit status %d)", t.Exit)
	}
	if t.Reason != "" && t.Reason != "NonZeroExitCode" {
		s += " [" + t.Reason + "]"
	}
	return s
}

// completed gives a stage whose job completed its result: its record must
// now be in the workspace.
func (r *run) completed(f *flight, log interface{ Info(string, ...any) }) {
	for _, dep := range f.st.Deps() {
		if r.records[dep] == nil {
			return // afterok ran the job after its upstream; wait until this run has seen that end
		}
	}
	dec, err := r.Config.Decide(r.WS, f.st, r.records, false)
	if err != nil {
		r.fail(f.st, fmt.Errorf("stage %s: %w", f.st.Addr, err))
		return
	}
	if dec.Run {
		if f.completedAt.IsZero() {
			f.completedAt = time.Now()
		}
		grace := r.Grace
		if grace == 0 {
			grace = 30 * time.Second
		}
		if time.Since(f.completedAt) < grace {
			return
		}
		r.fail(f.st, fmt.Errorf("stage %s: Slurm job %s completed, but the stage has no complete record for key %s (%s); did an input file change after submission? %s",
			f.st.Addr, f.e.Job, dec.Key.String()[:12], strings.Join(dec.Reasons, "; "), logTail(f.e.Log)))
		return
	}
	if err := r.WS.Publish(dec.Record); err != nil {
		r.fail(f.st, fmt.Errorf("stage %s: publish outputs: %w", f.st.Addr, err))
		return
	}
	r.records[f.st.Addr] = dec.Record
	res := &pipeline.Result{Decision: f.dec, Outcome: pipeline.Ran, Wall: time.Duration(dec.Record.Wall * float64(time.Second)),
		Job: "Slurm job " + f.e.Job}
	res.Key, res.Fields, res.Record = dec.Key, dec.Fields, dec.Record
	if dec.Record.Started.Before(f.e.Submitted.Add(-time.Minute)) {
		// The job found the record there: an upstream stage reran to
		// identical bytes, so this one is cached after all.
		res.Outcome, res.Wall = pipeline.Cached, 0
		log.Info(fmt.Sprintf("cached: job %s found a complete record", f.e.Job))
	} else {
		log.Info(fmt.Sprintf("done in %.2fs (job %s)", dec.Record.Wall, f.e.Job))
	}
	r.finishStage(f.st, res)
}

// cancelled handles a stage job that Slurm cancelled, or will never
// start because a dependency failed, or that it no longer knows.
func (r *run) cancelled(f *flight, t Task, parts []Task) {
	for _, dep := range f.st.Deps() {
		if g := r.active[dep]; g != nil {
			return // the cause may be upstream: wait until it is known
		}
	}
	if up := r.failedDep(f.st); up != "" {
		r.logger(f.st.Addr).Warn(fmt.Sprintf("skipped: upstream %s did not complete; Slurm cancelled %s", up, describe(f.e)))
		r.finishStage(f.st, &pipeline.Result{Decision: pipeline.Decision{Addr: f.st.Addr,
			Reasons: []string{"upstream " + up + " did not complete"}}, Outcome: pipeline.Skipped, Job: "Slurm job " + f.e.Job})
		return
	}
	if live(parts) {
		return // let the array's other tasks end first
	}
	for _, p := range parts {
		if p.State != "COMPLETED" && !(p.State == "CANCELLED" && p.Reason == "DependencyNeverSatisfied") {
			r.fail(f.st, fmt.Errorf("stage %s: task %d of array %s %s; %s", f.st.Addr, p.Index, f.e.Array,
				exitText(p), logTail(f.e.taskLog(r.ws, p.Index))))
			return
		}
	}
	var why string
	switch {
	case t.State == "GONE":
		why = "is no longer known to Slurm and recorded no exit status: it was cancelled or killed before it ended"
	case t.Reason == "DependencyNeverSatisfied":
		why = "was cancelled by Slurm: a job it depends on did not complete"
	default:
		why = "was cancelled (scancel, or an administrator)"
	}
	r.fail(f.st, fmt.Errorf("stage %s: Slurm job %s %s; %s", f.st.Addr, f.e.Job, why, logTail(f.e.Log)))
}

// interrupt cancels the jobs of every stage still in flight.
func (r *run) interrupt() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, st := range r.order {
		f := r.active[st.Addr]
		if f == nil {
			continue
		}
		log := r.logger(st.Addr)
		res := &pipeline.Result{Decision: pipeline.Decision{Addr: st.Addr, Reasons: []string{"interrupted; Slurm cancelled " + describe(f.e)}},
			Outcome: pipeline.Skipped}
		if err := r.Cluster.Cancel(ctx, f.e.jobs()); err != nil {
			// Keep it in the registry: the next run re-attaches or cancels.
			log.Warn("could not cancel; the next run will see to it", "error", err)
			res.Reasons = []string{"interrupted; cancelling " + describe(f.e) + " failed: " + err.Error()}
			delete(r.active, st.Addr)
			r.results[st.Addr] = res
			continue
		}
		log.Info("cancelled " + describe(f.e))
		r.finishStage(st, res)
	}
}

// errLost reports that Slurm stopped answering.
var errLost = errors.New("lost contact with Slurm")

// loseContact gives up on the stages still in flight, leaving their jobs
// queued and recorded for the next run.
func (r *run) loseContact(err error) {
	r.lost = fmt.Errorf("%w: %v; the jobs stay queued, run again to re-attach to them", errLost, err)
	for _, st := range r.order {
		if f := r.active[st.Addr]; f != nil {
			r.results[st.Addr] = &pipeline.Result{Decision: pipeline.Decision{Addr: st.Addr,
				Reasons: []string{"not followed: lost contact with Slurm; " + describe(f.e) + " stays queued"}}, Outcome: pipeline.Skipped}
			delete(r.active, st.Addr)
		}
	}
}

// finish returns the results in topological order and the run's error.
func (r *run) finish(ctx context.Context) ([]*pipeline.Result, error) {
	var out []*pipeline.Result
	var failed []string
	for _, st := range r.order {
		res := r.results[st.Addr]
		if res == nil {
			res = &pipeline.Result{Decision: pipeline.Decision{Addr: st.Addr, Reasons: []string{"not submitted: interrupted"}}, Outcome: pipeline.Skipped}
		}
		out = append(out, res)
		if res.Outcome == pipeline.Failed {
			failed = append(failed, st.Addr)
		}
	}
	switch {
	case len(failed) > 0:
		return out, &pipeline.RunError{Failed: failed, Results: out}
	case ctx.Err() != nil:
		return out, ctx.Err()
	}
	return out, r.lost
}
