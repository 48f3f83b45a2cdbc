package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"sdapipe/artifacts"
	"sdapipe/stage"
)

// A Job is one process's share of a stage when a batch executor runs it:
// the whole stage, one part of a split stage (the task of a job array),
// or the gather step that assembles a split stage's parts.
type Job struct {
	Addr  string
	Force bool // run even if the stage has a record for its key
	// Parts > 0 makes the job a share of a split stage: with Gather false
	// it computes part Part (0 ≤ Part < Parts) of the stage's units; with
	// Gather true it assembles all Parts parts into the outputs.
	Part, Parts int
	Gather      bool
	Log         hclog.Logger
	// Progress, if set, makes progress reports for long work.
	Progress func(addr, label string, total int64) stage.Progress
}

// RunJob runs a job in this process against ws, as a batch job does on a
// cluster. Every stage upstream of the job's must have a complete record:
// the executor submits the job after them. A job takes no workspace lock
// (the process that submitted it holds it): it writes content-addressed
// objects and, last, the stage's record or its part's file, each
// atomically, so jobs of different stages write side by side safely. It
// does not publish out/: the submitting process does that when it sees the
// job end.
//
// RunJob returns Cached, doing nothing, when the stage already has a
// complete record for its key and Force is false: an upstream stage reran
// to identical bytes, or an earlier job got there first.
func RunJob(ctx context.Context, cfg *Config, ws *Workspace, job Job) (Outcome, error) {
	st := cfg.Stage(job.Addr)
	if st == nil {
		return Failed, fmt.Errorf("no stage %s in %s", job.Addr, cfg.Filename)
	}
	outcome, err := cfg.runJob(ctx, ws, st, job)
	if err != nil && !strings.HasPrefix(err.Error(), "stage "+st.Addr+": ") {
		err = fmt.Errorf("stage %s: %w", st.Addr, err)
	}
	return outcome, err
}

func (c *Config) runJob(ctx context.Context, ws *Workspace, st *Stage, job Job) (Outcome, error) {
	log := job.Log
	if log == nil {
		log = hclog.NewNullLogger()
	}
	records, err := c.upstreamRecords(ws, st)
	if err != nil {
		return Failed, err
	}
	d, err := c.decide(ws, st, records, job.Force)
	if err != nil {
		return Failed, err
	}
	if !d.Run {
		log.Info("cached: a complete record for this key exists", "key", short(d.Key.String()))
		return Cached, nil
	}
	if job.Parts > 0 && st.Kind.Split == nil {
		return Failed, fmt.Errorf("a %s stage does not split into parts", st.Kind.Name)
	}
	env := c.env(ws, st, inputsOf(st, records), log, job.Progress)
	switch {
	case job.Parts == 0:
		log.Info("running: "+strings.Join(d.Reasons, "; "), "key", short(d.Key.String()))
		res, _ := c.runStage(ctx, ws, st, d, env, st.Kind.Run, 0)
		return res.Outcome, res.Err
	case job.Gather:
		return c.gather(ctx, ws, st, d, env, job.Parts)
	}
	return c.runPart(ctx, ws, st, d, env, job)
}

// upstreamRecords returns the records of every stage upstream of st,
// failing if one is not complete.
func (c *Config) upstreamRecords(ws *Workspace, st *Stage) (map[string]*Record, error) {
	records := map[string]*Record{}
	for _, up := range c.Closure([]string{st.Addr}) {
		if up == st {
			continue
		}
		d, err := c.decide(ws, up, records, false)
		if err != nil {
			return nil, err
		}
		if d.Run {
			return nil, fmt.Errorf("upstream %s is not complete (%s)", up.Addr, strings.Join(d.Reasons, "; "))
		}
		records[up.Addr] = d.Record
	}
	return records, nil
}

// A partFile records one part of a split stage: which units it computed
// and the stored object that holds their result. It lives at
// parts/<key>/<index>-of-<parts>.json until the gather step succeeds.
type partFile struct {
	Stage  string           `json:"stage"`
	Key    string           `json:"key"`
	Part   int              `json:"part"`
	Parts  int              `json:"parts"`
	Lo     int              `json:"units_from"`
	Hi     int              `json:"units_to"`
	Units  int              `json:"units"`
	Digest artifacts.Digest `json:"digest"`
	Wall   float64          `json:"wall_seconds"`
}

func (w *Workspace) partPath(key artifacts.Digest, part, parts int) string {
	return filepath.Join(w.Dir, "parts", key.String(), fmt.Sprintf("%d-of-%d.json", part, parts))
}

func (w *Workspace) readPart(key artifacts.Digest, part, parts int) (*partFile, error) {
	b, err := artifacts.ReadRegular(w.partPath(key, part, parts), recordLimit)
	if err != nil {
		return nil, err
	}
	var p partFile
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("part %d of %d: %w", part, parts, err)
	}
	return &p, nil
}

// partRange returns the units [lo, hi) of part i of n over units units:
// consecutive ranges whose sizes differ by at most one.
func partRange(units, i, n int) (int, int) { return units * i / n, units * (i + 1) / n }

// runPart computes one part of a split stage and records it. A part whose
// file and object survive from an earlier attempt at the same key is not
// recomputed (unless forced): its bytes would be the same.
func (c *Config) runPart(ctx context.Context, ws *Workspace, st *Stage, d Decision, env *stage.Env, job Job) (Outcome, error) {
	if job.Part < 0 || job.Part >= job.Parts {
		return Failed, fmt.Errorf("part %d of %d does not exist", job.Part, job.Parts)
	}
	log := env.Logger()
	if p, err := ws.readPart(d.Key, job.Part, job.Parts); err == nil && !job.Force && ws.Store.Has(p.Digest) {
		log.Info(fmt.Sprintf("part %d of %d: kept from an earlier attempt", job.Part, job.Parts))
		return Cached, nil
	}
	split := st.Kind.Split
	units, err := split.Units(env)
	if err != nil {
		return Failed, err
	}
	lo, hi := partRange(units, job.Part, job.Parts)
	log.Info(fmt.Sprintf("running part %d of %d: units %d to %d of %d", job.Part, job.Parts, lo, hi, units), "key", short(d.Key.String()))
	start := time.Now()
	var b []byte
	err = safeRun(ctx, func(ctx context.Context, env *stage.Env) (err error) {
		b, err = split.Part(ctx, env, lo, hi)
		return err
	}, env)
	if err != nil {
		return Failed, err
	}
	dg, err := ws.Store.PutBytes(b)
	if err != nil {
		return Failed, fmt.Errorf("store part %d: %w", job.Part, err)
	}
	wall := time.Since(start)
	p := partFile{Stage: st.Addr, Key: d.Key.String(), Part: job.Part, Parts: job.Parts, Lo: lo, Hi: hi, Units: units,
		Digest: dg, Wall: wall.Seconds()}
	out, _ := json.MarshalIndent(p, "", "  ")
	path := ws.partPath(d.Key, job.Part, job.Parts)
	if err := artifacts.EnsureDirUnder(ws.Dir, filepath.Dir(path), 0o755); err != nil {
		return Failed, err
	}
	if err := artifacts.WriteFileAtomic(path, append(out, '\n'), 0o644); err != nil {
		return Failed, fmt.Errorf("write part %d: %w", job.Part, err)
	}
	log.Info(fmt.Sprintf("part %d of %d done in %.2fs", job.Part, job.Parts, wall.Seconds()))
	return Ran, nil
}

// gather assembles the parts of a split stage into its outputs and writes
// its record. The parts must cover the units in order, which they do when
// every part of this key ran to completion.
func (c *Config) gather(ctx context.Context, ws *Workspace, st *Stage, d Decision, env *stage.Env, parts int) (Outcome, error) {
	split := st.Kind.Split
	units, err := split.Units(env)
	if err != nil {
		return Failed, err
	}
	results := make([][]byte, parts)
	var earlier time.Duration
	for i := range parts {
		p, err := ws.readPart(d.Key, i, parts)
		if errors.Is(err, fs.ErrNotExist) {
			return Failed, fmt.Errorf("part %d of %d is missing: its task did not complete", i, parts)
		}
		if err != nil {
			return Failed, err
		}
		if lo, hi := partRange(units, i, parts); p.Lo != lo || p.Hi != hi || p.Units != units {
			return Failed, fmt.Errorf("part %d of %d holds units %d to %d of %d, want %d to %d of %d", i, parts, p.Lo, p.Hi, p.Units, lo, hi, units)
		}
		if results[i], err = ws.Store.ReadAll(p.Digest); err != nil {
			return Failed, fmt.Errorf("part %d of %d: %w", i, parts, err)
		}
		earlier += time.Duration(p.Wall * float64(time.Second))
	}
	env.Logger().Info(fmt.Sprintf("gathering %d parts", parts), "key", short(d.Key.String()))
	res, _ := c.runStage(ctx, ws, st, d, env, func(ctx context.Context, env *stage.Env) error {
		return split.Gather(ctx, env, results)
	}, earlier)
	if res.Err == nil {
		// The part objects stay until gc: nothing refers to them now.
		os.RemoveAll(filepath.Join(ws.Dir, "parts", d.Key.String()))
	}
	return res.Outcome, res.Err
}

// Decide says whether a stage, whose upstream stages' records are all in
// records, is cached or must run, and why. Executors other than the
// in-process Runner use it to follow the stages they run elsewhere.
func (c *Config) Decide(ws *Workspace, st *Stage, records map[string]*Record, force bool) (Decision, error) {
	return c.decide(ws, st, records, force)
}

// Publish points out/<stage>/ at a record's outputs. Only the process
// that holds the workspace lock may call it.
func (w *Workspace) Publish(r *Record) error { return w.publish(r) }

// Units returns how many units a split stage's work has, from its
// upstream records. It returns 0 for a stage that does not split.
func (c *Config) Units(ws *Workspace, st *Stage, records map[string]*Record) (int, error) {
	if st.Kind.Split == nil {
		return 0, nil
	}
	return st.Kind.Split.Units(c.env(ws, st, inputsOf(st, records), nil, nil))
}
