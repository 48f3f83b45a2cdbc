package pipeline

import (
	"context"
	"fmt"
	"runtime/debug"
	"sdapipe/stage"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Outcome is what happened to one stage in a run.
type Outcome string

// The outcomes of a stage.
const (
	Cached  Outcome = "cached"
	Ran     Outcome = "ran"
	Failed  Outcome = "failed"
	Skipped Outcome = "skipped" // an upstream stage failed
)

// A Result is one stage's outcome in a run.
type Result struct {
	Decision
	Outcome Outcome
	Wall    time.Duration
	Err     error
	// Job names the batch job that ran the stage ("Slurm job 123"), when
	// an executor other than this process ran it.
	Job string
}

// A Runner runs stages of a config against a workspace, skipping those
// whose key has a complete record.
type Runner struct {
	Config *Config
	WS     *Workspace
	Log    hclog.Logger
	Jobs   int             // stages run at once; at least 1
	Force  map[string]bool // stage addresses to rerun even when cached
	// Progress, if set, makes progress reports for long work in a stage.
	Progress func(addr, label string, total int64) stage.Progress
}

type finished struct {
	res *Result
	rec *Record
}

// Run brings the target stages (all when empty) and everything upstream
// of them up to date. Stages whose dependencies are complete start in
// order of address, at most Jobs at a time; a stage whose upstream failed
// is skipped. Run returns every stage's result in topological order and an
// error if any stage failed.
func (r *Runner) Run(ctx context.Context, targets []string) ([]*Result, error) {
	if len(targets) == 0 {
		targets = r.Config.Addrs()
	}
	jobs := max(r.Jobs, 1)
	order := r.Config.Closure(targets)
	results := map[string]*Result{}
	records := map[string]*Record{}
	pending := append([]*Stage{}, order...)
	sort.Slice(pending, func(i, j int) bool { return pending[i].Addr < pending[j].Addr })
	done := make(chan finished)
	running := 0

	for len(pending) > 0 || running > 0 {
		progressed := true
		for progressed && ctx.Err() == nil {
			progressed = false
			for i := 0; i < len(pending); i++ {
				st := pending[i]
				state, blockedBy := depState(st, results)
				if state == "wait" {
					continue
				}
				if state == "blocked" {
					results[st.Addr] = &Result{Decision: Decision{Addr: st.Addr,
						Reasons: []string{"upstream " + blockedBy + " did not complete"}}, Outcome: Skipped}
					r.logger(st).Warn("skipped: upstream did not complete", "upstream", blockedBy)
				} else {
					d, err := r.Config.decide(r.WS, st, records, r.Force[st.Addr])
					switch {
					case err != nil:
						results[st.Addr] = &Result{Decision: d, Outcome: Failed, Err: err}
					case !d.Run:
						if err := r.WS.publish(d.Record); err != nil {
							results[st.Addr] = &Result{Decision: d, Outcome: Failed, Err: fmt.Errorf("stage %s: publish outputs: %w", st.Addr, err)}
							break
						}
						records[st.Addr] = d.Record
						results[st.Addr] = &Result{Decision: d, Outcome: Cached}
						r.logger(st).Info("cached", "key", short(d.Key.String()))
					default:
						if running >= jobs {
							continue
						}
						running++
						r.logger(st).Info("running: "+strings.Join(d.Reasons, "; "), "key", short(d.Key.String()))
						// Gather inputs here: the loop owns records, and the
						// goroutine must not read it while the loop writes.
						in := inputsOf(st, records)
						go func() {
							res, rec := r.execute(ctx, st, d, in)
							done <- finished{res, rec}
						}()
					}
				}
				pending = append(pending[:i], pending[i+1:]...)
				i--
				progressed = true
			}
		}
		if running == 0 {
			if ctx.Err() != nil || len(pending) > 0 {
				for _, st := range pending {
					results[st.Addr] = &Result{Decision: Decision{Addr: st.Addr, Reasons: []string{"not started: " + cause(ctx)}}, Outcome: Skipped}
				}
				pending = nil
			}
			continue
		}
		f := <-done
		running--
		results[f.res.Addr] = f.res
		if f.rec != nil {
			records[f.res.Addr] = f.rec
		}
	}

	var out []*Result
	var failed []string
	for _, st := range order {
		res := results[st.Addr]
		out = append(out, res)
		if res.Outcome == Failed {
			failed = append(failed, st.Addr)
		}
	}
	if len(failed) > 0 {
		return out, &RunError{Failed: failed, Results: out}
	}
	if err := ctx.Err(); err != nil {
		return out, err
	}
	return out, nil
}

func cause(ctx context.Context) string {
	if ctx.Err() != nil {
		return "interrupted"
	}
	return "an upstream stage did not complete"
}

// depState says whether all of a stage's dependencies are complete
// ("ready"), one of them failed or was skipped ("blocked", naming it), or
// some have yet to finish ("wait").
func depState(st *Stage, results map[string]*Result) (string, string) {
	for _, d := range st.Deps() {
		res, ok := results[d]
		if !ok {
			return "wait", ""
		}
		if res.Outcome == Failed || res.Outcome == Skipped {
			return "blocked", d
		}
	}
	return "ready", ""
}

func (r *Runner) logger(st *Stage) hclog.Logger {
	if r.Log == nil {
		return hclog.NewNullLogger()
	}
	return r.Log.Named(st.Addr)
}

// execute runs one stage, stores its record and publishes its outputs.
// No record is written unless every required output was stored.
func (r *Runner) execute(ctx context.Context, st *Stage, d Decision, inputs map[string]stage.Upstream) (*Result, *Record) {
	log := r.logger(st)
	res, rec := r.Config.runStage(ctx, r.WS, st, d, r.Config.env(r.WS, st, inputs, log, r.Progress), st.Kind.Run, 0)
	if rec == nil {
		return res, nil
	}
	if err := r.WS.publish(rec); err != nil {
		res.Outcome = Failed
		res.Err = fmt.Errorf("stage %s: publish outputs: %w", st.Addr, err)
		return res, nil
	}
	log.Info(fmt.Sprintf("done in %.2fs", res.Wall.Seconds()))
	return res, rec
}

// env returns the Env a stage runs in.
func (c *Config) env(ws *Workspace, st *Stage, inputs map[string]stage.Upstream, log hclog.Logger,
	progress func(addr, label string, total int64) stage.Progress) *stage.Env {
	env := &stage.Env{
		Addr: st.Addr, Kind: st.Kind, Params: st.Params, Store: ws.Store,
		Inputs: inputs, Seed: c.Seed, Log: log,
	}
	if progress != nil {
		env.Progress = func(label string, total int64) stage.Progress { return progress(st.Addr, label, total) }
	}
	return env
}

// runStage calls run (the kind's Run, or the gather step of a split
// stage) and, if it stored every required output, writes the stage's
// record; it does not publish. earlier is compute time already spent on
// the stage elsewhere (the parts of a split stage), added to the record's.
func (c *Config) runStage(ctx context.Context, ws *Workspace, st *Stage, d Decision, env *stage.Env,
	run func(context.Context, *stage.Env) error, earlier time.Duration) (*Result, *Record) {
	ck := ws.checkpoint(d.Key)
	if d.Forced {
		ck.remove()
	}
	if env.Checkpoint == nil && !ws.readOnly {
		env.Checkpoint = ck
	}
	start := time.Now()
	err := safeRun(ctx, run, env)
	wall := time.Since(start) + earlier
	res := &Result{Decision: d, Outcome: Failed, Wall: wall}
	if err == nil {
		err = checkOutputs(st, env.Outputs())
	}
	if err != nil {
		// The one place a stage's error gets its name: kinds and Env
		// return errors that do not say which stage they are about.
		err = fmt.Errorf("stage %s: %w", st.Addr, err)
		res.Err = err
		env.Logger().Error("failed", "error", err)
		return res, nil
	}
	rec := &Record{
		Format: recordFormat, Stage: st.Addr, Kind: st.Kind.Name, Version: st.Kind.Version,
		Key: d.Key.String(), KeyParts: d.Fields, Outputs: env.Outputs(),
		Started: start.UTC().Truncate(time.Millisecond), Wall: wall.Seconds(), Env: currentEnv(),
	}
	if err := ws.writeRecord(rec); err != nil {
		res.Err = fmt.Errorf("stage %s: write run record: %w", st.Addr, err)
		return res, nil
	}
	ck.remove()
	res.Outcome = Ran
	res.Record = rec
	return res, rec
}

// safeRun calls a stage's Run, turning a panic into an error so that one
// broken stage cannot take the process (and the lock) down uncleanly.
func safeRun(ctx context.Context, run func(context.Context, *stage.Env) error, env *stage.Env) (err error) {
	defer func() {
		if p := recover(); p != nil {
			env.Logger().Debug("panic", "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error: %v", p)
		}
	}()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return run(ctx, env)
}

func checkOutputs(st *Stage, outs []stage.Output) error {
	have := map[string]bool{}
	for _, o := range outs {
		have[o.Name] = true
	}
	var missing []string
	for _, spec := range st.Kind.Outputs {
		if !spec.Optional && !have[spec.Name] {
			missing = append(missing, spec.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("did not write outputs %s", strings.Join(missing, ", "))
	}
	return nil
}

// A RunError reports the stages that failed in a run.
type RunError struct {
	Failed  []string
	Results []*Result
}

func (e *RunError) Error() string {
	for _, r := range e.Results {
		if r.Outcome == Failed && r.Err != nil {
			if len(e.Failed) == 1 {
				return r.Err.Error()
			}
			return fmt.Sprintf("%d stages failed (%s); first: %v", len(e.Failed), strings.Join(e.Failed, ", "), r.Err)
		}
	}
	return "stages failed: " + strings.Join(e.Failed, ", ")
}

// Unwrap returns the errors of the failed stages.
func (e *RunError) Unwrap() []error {
	var errs []error
	for _, r := range e.Results {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return errs
}
