package pipeline

import (
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
// workspace: cached when a record for its key exists and all its outputs
// are in the store.
func (c *Config) decide(ws *Workspace, st *Stage, records map[string]*Record, force bool) (Decision, error) {
	key, fields := c.key(st, inputsOf(st, records))
	d := Decision{Addr: st.Addr, Key: key, Fields: fields}
	rec, err := ws.Record(key)
	if err != nil {
		return d, err
	}
	if rec != nil && !force {
		missing := missingOutputs(ws, st, rec)
		if len(missing) == 0 {
			d.Record = rec
			return d, nil
		}
		for _, m := range missing {
			d.Reasons = append(d.Reasons, m)
		}
	}
	d.Run = true
	if force {
		d.Reasons = append(d.Reasons, "forced with --force")
	}
	if rec == nil {
		d.Reasons = append(d.Reasons, c.changes(ws, st, fields, false)...)
	}
	return d, nil
}

// missingOutputs lists, as reasons, the outputs of a record that are not
// in the store or that the stage kind requires but the record lacks.
func missingOutputs(ws *Workspace, st *Stage, rec *Record) []string {
	var out []string
	for _, o := range rec.Outputs {
		if !ws.Store.Has(o.Digest) {
			out = append(out, fmt.Sprintf("output %s (%s) is missing from the store", o.Name, short(o.Digest.String())))
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
		d, err := c.decide(ws, st, records, force[st.Addr])
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
