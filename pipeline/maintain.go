package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"sdapipe/artifacts"
)

// A VerifyReport says what [Workspace.Verify] found: objects whose bytes
// no longer match their digest, objects that run records refer to but the
// store lacks, and run records that cannot be used; each names the stage
// outputs concerned. With repair it also lists what was moved aside and
// the stages the next run reruns.
type VerifyReport struct {
	Checked    int      // objects rehashed
	Records    int      // run records read, usable or not
	Corrupt    []string // "<digest>, output of stage.output"
	Missing    []string // "<digest>, output of stage.output (runs/<key>.json)"
	BadRecords []string // "runs/<key>.json: what is wrong"
	Moved      []string // with repair: "runs/<key>.json -> quarantine/..."
	Rerun      []string // with repair: stages whose next run remakes what was moved, sorted
}

// Problems counts what Verify found wrong.
func (r VerifyReport) Problems() int { return len(r.Corrupt) + len(r.Missing) + len(r.BadRecords) }

// A use is a run record's reference to an object.
type use struct {
	output string // "stage.output"
	record string // the record's path
}

// Verify reads every run record and the published copies in out/, and
// rehashes every stored object. With repair (the caller must then hold the
// lock of a workspace opened with [OpenWorkspace]) it moves aside into
// quarantine/ each corrupt object, each unusable record, and each record
// that refers to a corrupt or missing object, so that the next run treats
// them as absent and reruns the stages that made them.
func (w *Workspace) Verify(ctx context.Context, repair bool) (VerifyReport, error) {
	if repair && w.readOnly {
		return VerifyReport{}, errors.New("verify: cannot repair a workspace opened read-only")
	}
	var rep VerifyReport
	users, bad, err := w.readRecords(&rep)
	if err != nil {
		return rep, err
	}
	damaged := map[string]bool{} // record paths to move aside with repair
	for _, path := range bad {
		damaged[path] = true
	}
	corrupt := map[artifacts.Digest]bool{} // reported corrupt, not also missing
	rerun := map[string]bool{}
	err = w.Store.Walk(func(d artifacts.Digest, size int64) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rep.Checked++
		err := w.Store.Verify(d)
		switch {
		case err == nil || errors.Is(err, artifacts.ErrNotFound):
			return nil // sound, or removed since the walk listed it
		case !errors.Is(err, artifacts.ErrCorrupt):
			return fmt.Errorf("verify: %w", err)
		}
		msg := fmt.Sprintf("%s, referred to by no run record", d)
		if u := users[d]; len(u) > 0 {
			msg = fmt.Sprintf("%s, output of %s", d, outputsOf(u))
		}
		rep.Corrupt = append(rep.Corrupt, msg)
		corrupt[d] = true
		if repair {
			dst, err := w.Store.Quarantine(d)
			if err != nil {
				return fmt.Errorf("verify: move corrupt object aside: %w", err)
			}
			rep.Moved = append(rep.Moved, fmt.Sprintf("%s -> %s", w.rel(w.Store.Path(d)), w.rel(dst)))
		}
		for _, u := range users[d] {
			damaged[u.record] = true
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	for _, d := range sortedDigests(users) {
		if _, err := w.Store.Size(d); !errors.Is(err, artifacts.ErrNotFound) || corrupt[d] {
			continue
		}
		for _, u := range users[d] {
			rep.Missing = append(rep.Missing, fmt.Sprintf("%s, output of %s (%s)", d, u.output, w.rel(u.record)))
			damaged[u.record] = true
		}
	}
	if repair {
		for _, path := range sortedKeys(damaged) {
			if rec, err := readRecord(path, "", ""); err == nil && rec != nil {
				rerun[rec.Stage] = true
			}
			if err := w.moveAside(&rep, path); err != nil {
				return rep, err
			}
		}
		rep.Rerun = sortedKeys(rerun)
	}
	return rep, nil
}

// readRecords reads every run record (and every published copy in out/),
// notes the unusable ones in rep and returns which records use each
// object, and the paths of the unusable records.
func (w *Workspace) readRecords(rep *VerifyReport) (map[artifacts.Digest][]use, []string, error) {
	users := map[artifacts.Digest][]use{}
	var unusable []string
	runs, err := os.ReadDir(filepath.Join(w.Dir, "runs"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("verify: %w", err)
	}
	var paths []string
	for _, e := range runs {
		if name := e.Name(); strings.HasSuffix(name, ".json") && !strings.HasPrefix(name, ".") {
			paths = append(paths, filepath.Join(w.Dir, "runs", name))
		}
	}
	outs, _ := os.ReadDir(filepath.Join(w.Dir, "out"))
	for _, e := range outs {
		if e.IsDir() {
			paths = append(paths, w.latestPath(e.Name()))
		}
	}
	for _, path := range paths {
		key, addr := "", ""
		if filepath.Base(path) == "record.json" {
			addr = filepath.Base(filepath.Dir(path))
		} else {
			key = strings.TrimSuffix(filepath.Base(path), ".json")
		}
		rec, err := readRecord(path, key, addr)
		var bad *RecordError
		switch {
		case errors.As(err, &bad):
			rep.Records++
			rep.BadRecords = append(rep.BadRecords, fmt.Sprintf("%s: %s", w.rel(path), bad.Reason))
			unusable = append(unusable, path)
			continue
		case err != nil:
			return nil, nil, fmt.Errorf("verify: %w", err)
		case rec == nil:
			continue // gone, or another version's layout
		}
		rep.Records++
		if addr != "" {
			continue // a copy: its objects are checked through runs/
		}
		for _, o := range rec.Outputs {
			users[o.Digest] = append(users[o.Digest], use{output: rec.Stage + "." + o.Name, record: path})
		}
	}
	return users, unusable, nil
}

// moveAside moves one damaged record into quarantine and notes it.
func (w *Workspace) moveAside(rep *VerifyReport, path string) error {
	name := "run-" + filepath.Base(path)
	if filepath.Base(path) == "record.json" {
		name = "out-" + filepath.Base(filepath.Dir(path)) + "-record.json"
	}
	dst, err := w.setAside(path, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("verify: move %s aside: %w", w.rel(path), err)
	}
	rep.Moved = append(rep.Moved, fmt.Sprintf("%s -> %s", w.rel(path), dst))
	return nil
}

func outputsOf(us []use) string {
	var names []string
	for _, u := range us {
		names = append(names, u.output)
	}
	sort.Strings(names)
	return strings.Join(slices.Compact(names), ", ")
}

func sortedDigests(m map[artifacts.Digest][]use) []artifacts.Digest {
	out := make([]artifacts.Digest, 0, len(m))
	for d := range m {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// A GCReport counts what garbage collection removed (or would remove).
type GCReport struct {
	Objects, Runs, Temps, Kept int
	Bytes                      int64
	BadRecords                 int // unusable run records, moved aside
	Quarantined                int // files removed from quarantine/
	Checkpoints                int // checkpoints removed
	CheckpointBytes            int64
}

// GC removes stored objects that no run record refers to, leftover
// temporary files of interrupted writes, the files earlier commands
// moved into quarantine/ and checkpoints of stages that finished. An
// unusable run record is moved aside (its stage reruns) rather than
// stopping the collection. With pruneRuns it first drops every run record
// that is not the latest of its stage, so that only the latest outputs are
// kept, and every checkpoint (interrupted stages then start over). With
// dryRun it removes nothing. The caller must hold the workspace lock.
func (w *Workspace) GC(pruneRuns, dryRun bool) (GCReport, error) {
	var rep GCReport
	// First what earlier commands moved aside; this collection's own
	// finds stay in quarantine/ until the next.
	n, err := w.emptyQuarantine(dryRun)
	rep.Quarantined = n
	if err != nil {
		return rep, err
	}
	latest := map[string]bool{}
	entries, _ := os.ReadDir(filepath.Join(w.Dir, "out"))
	for _, e := range entries {
		if rec, err := w.Latest(e.Name()); err == nil && rec != nil {
			latest[rec.Key] = true
		}
	}
	referenced := map[artifacts.Digest]bool{}
	runs, err := os.ReadDir(filepath.Join(w.Dir, "runs"))
	if err != nil {
		return rep, err
	}
	for _, e := range runs {
		// Entries of runs/ are removed by name: a link is removed itself.
		path := filepath.Join(w.Dir, "runs", e.Name())
		key := strings.TrimSuffix(e.Name(), ".json")
		if !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			rep.Temps++
			if !dryRun {
				os.Remove(path)
			}
			continue
		}
		if pruneRuns && !latest[key] {
			rep.Runs++
			if !dryRun {
				if err := os.Remove(path); err != nil {
					return rep, err
				}
			}
			continue
		}
		rec, err := readRecord(path, key, "")
		var bad *RecordError
		switch {
		case errors.As(err, &bad):
			rep.BadRecords++
			if !dryRun {
				if _, err := w.setAside(path, "run-"+e.Name()); err != nil {
					return rep, fmt.Errorf("gc: move %s aside: %w", w.rel(path), err)
				}
			}
			continue
		case err != nil:
			return rep, fmt.Errorf("gc: %w", err)
		case rec == nil:
			continue
		}
		for _, o := range rec.Outputs {
			referenced[o.Digest] = true
		}
	}
	err = w.Store.Walk(func(d artifacts.Digest, size int64) error {
		if referenced[d] {
			rep.Kept++
			return nil
		}
		rep.Objects++
		rep.Bytes += size
		if dryRun {
			return nil
		}
		if err := w.Store.Remove(d); err != nil && !errors.Is(err, artifacts.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	n, size, err := w.gcCheckpoints(pruneRuns, dryRun)
	rep.Checkpoints, rep.CheckpointBytes = n, size
	if err != nil {
		return rep, err
	}
	if dryRun {
		return rep, nil
	}
	n, err = w.Store.RemoveTemp()
	rep.Temps += n
	return rep, err
}

// emptyQuarantine removes (or, with dryRun, counts) the files in
// quarantine/. A link in its place is left alone: nothing is removed
// through it.
func (w *Workspace) emptyQuarantine(dryRun bool) (int, error) {
	dir := w.quarantineDir()
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
		return 0, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("gc: %w", err)
	}
	n := 0
	for _, e := range ents {
		if !dryRun {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return n, fmt.Errorf("gc: %w", err)
			}
		}
		n++
	}
	return n, nil
}
