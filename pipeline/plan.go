package pipeline

import (
	"errors"
	"fmt"

	"sdapipe/artifacts"
	"sdapipe/stage"
)

// A Decision says whether a stage must run and every reason why.
type Decision struct {
	Addr    string
	Run     bool
	Reasons []string
	Key     artifacts.Digest // zero while an upstream stage has yet to run
	Fields  []artifacts.Field
	Record  *Record // the cached record when Run is false
	Forced  bool    // run with --force: from scratch, not from a checkpoint
}

// inputsOf gathers the outputs a stage reads from the records of its
// dependencies, which must all be known.
func inputsOf(st *Stage, records map[string]*Record) map[string]stage.Upstream {
	in := map[string]stage.Upstream{}
	for _, r := range st.Refs {
		rec := records[r.Stage]
		outs := map[string]stage.Output{}
		for _, o := range rec.Outputs {
			outs[o.Name] = o
		}
		in[r.Param] = stage.Upstream{Addr: r.Stage, Outputs: outs}
	}
	return in
}

// decide compares a stage, whose upstream records are all known, with the
// workspace, healing what it finds damaged: see [Config.assess].
func (c *Config) decide(ws *Workspace, st *Stage, records map[string]*Record, force bool) (Decision, error) {
	return c.assess(ws, st, records, force, true)
}

// assess decides a stage: cached when a usable record for its key exists
// and each of its outputs is in the store with the size the record gives
// (a stat per output: cheap enough for every run, unlike rehashing). A
// record that cannot be used counts as absent and, with heal, is moved
// aside, as is an object of the wrong size; the stage then reruns. With
// force the stage reruns whatever its record holds.
func (c *Config) assess(ws *Workspace, st *Stage, records map[string]*Record, force, heal bool) (Decision, error) {
	key, fields := c.key(st, inputsOf(st, records))
	d := Decision{Addr: st.Addr, Key: key, Fields: fields}
	rec, err := ws.Record(key)
	var bad *RecordError
	hadRecord := rec != nil
	switch {
	case errors.As(err, &bad):
		d.Reasons = append(d.Reasons, ws.healRecord(bad, heal))
		rec, hadRecord = nil, true
	case err != nil && !force:
		return d, err
	case err != nil:
		d.Reasons = append(d.Reasons, fmt.Sprintf("its run record cannot be read (%v)", err))
		rec, hadRecord = nil, true
	}
	if rec != nil && !force {
		problems := outputProblems(ws, st, rec, heal)
		if len(problems) == 0 {
			d.Record = rec
			return d, nil
		}
		d.Reasons = append(d.Reasons, problems...)
	}
	d.Run = true
	if force {
		d.Forced = true
		d.Reasons = append(d.Reasons, "forced with --force")
	}
	if !hadRecord {
		d.Reasons = append(d.Reasons, c.changes(ws, st, fields, false)...)
	}
	if !force && ws.checkpoint(key).exists() {
		d.Reasons = append(d.Reasons, "an interrupted attempt left a checkpoint; it resumes from there")
	}
	return d, nil
}

// outputProblems lists, as reasons, the outputs of a record that are not
// in the store, have another size there than the record says (moved aside
// with heal), or that the stage kind requires but the record lacks.
func outputProblems(ws *Workspace, st *Stage, rec *Record, heal bool) []string {
	var out []string
	for _, o := range rec.Outputs {
		size, err := ws.Store.Size(o.Digest)
		switch {
		case errors.Is(err, artifacts.ErrNotFound):
			out = append(out, fmt.Sprintf("output %s (%s) is missing from the store", o.Name, short(o.Digest.String())))
		case err != nil:
			out = append(out, fmt.Sprintf("output %s (%s) cannot be checked: %v", o.Name, short(o.Digest.String()), err))
		case size != o.Size:
			what := fmt.Sprintf("output %s (%s) is corrupt: %d bytes in the store, %d in its run record",
				o.Name, short(o.Digest.String()), size, o.Size)
			if !heal || ws.readOnly {
				what += "; the next run moves it aside"
			} else if dst, err := ws.Store.Quarantine(o.Digest); err != nil {
				what += fmt.Sprintf(" and could not be moved aside: %v", err)
			} else {
				what += "; moved aside to " + ws.rel(dst)
			}
			out = append(out, what)
		}
	}
	for _, spec := range st.Kind.Outputs {
		if _, ok := rec.Output(spec.Name); !ok && !spec.Optional {
			out = append(out, fmt.Sprintf("output %s is missing from the run record", spec.Name))
		}
	}
	return out
}

// changes explains a stage's key against its last published record. With
// ownOnly, inputs are left out (an upstream stage has yet to run).
func (c *Config) changes(ws *Workspace, st *Stage, fields []artifacts.Field, ownOnly bool) []string {
	latest, err := ws.Latest(st.Addr)
	if err != nil || latest == nil {
		return []string{"no earlier run"}
	}
	var skip []string
	if ownOnly {
		skip = []string{"input "}
	}
	diffs := diffFields(latest.KeyParts, fields, skip...)
	if len(diffs) == 0 && !ownOnly {
		return []string{"no run record for this key"}
	}
	return diffs
}

// Status decides, without running anything, which of the given stages
// (all of them when targets is empty) are cached and which would run and
// why. A stage downstream of one that would run is reported as running,
// with its own changes and the upstream stages it waits for; it may yet
// turn out cached if they rerun to identical bytes.
func (c *Config) Status(ws *Workspace, targets []string, force map[string]bool) ([]Decision, error) {
	if len(targets) == 0 {
		targets = c.Addrs()
	}
	records := map[string]*Record{}
	willRun := map[string]bool{}
	var out []Decision
	for _, st := range c.Closure(targets) {
		var waiting []string
		for _, d := range st.Deps() {
			if willRun[d] {
				waiting = append(waiting, d)
			}
		}
		if len(waiting) > 0 {
			_, own := c.key(st, nil)
			d := Decision{Addr: st.Addr, Run: true, Fields: own}
			if force[st.Addr] {
				d.Reasons = append(d.Reasons, "forced with --force")
			}
			d.Reasons = append(d.Reasons, c.changes(ws, st, own, true)...)
			for _, w := range waiting {
				d.Reasons = append(d.Reasons, "upstream "+w+" will run")
			}
			willRun[st.Addr] = true
			out = append(out, d)
			continue
		}
		d, err := c.assess(ws, st, records, force[st.Addr], false)
		if err != nil {
			return nil, fmt.Errorf("status of %s: %w", st.Addr, err)
		}
		if d.Run {
			willRun[st.Addr] = true
		} else {
			records[st.Addr] = d.Record
		}
		out = append(out, d)
	}
	return out, nil
}
