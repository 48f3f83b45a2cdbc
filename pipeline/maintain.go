package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sdapipe/artifacts"
)

// A VerifyReport lists the objects whose bytes no longer match their
// digest, each with the stage outputs that refer to it.
type VerifyReport struct {
	Checked int
	Corrupt []string
}

// Verify rehashes every stored object.
func (w *Workspace) Verify(ctx context.Context) (VerifyReport, error) {
	users := w.objectUsers()
	var rep VerifyReport
	err := w.Store.Walk(func(d artifacts.Digest, size int64) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rep.Checked++
		if err := w.Store.Verify(d); err != nil {
			msg := fmt.Sprintf("%s (%v)", d, err)
			if u := users[d]; len(u) > 0 {
				msg = fmt.Sprintf("%s, output of %s", d, strings.Join(u, ", "))
			}
			rep.Corrupt = append(rep.Corrupt, msg)
		}
		return nil
	})
	return rep, err
}

// objectUsers maps each digest to the "stage.output" names whose latest
// records refer to it.
func (w *Workspace) objectUsers() map[artifacts.Digest][]string {
	users := map[artifacts.Digest][]string{}
	entries, _ := os.ReadDir(filepath.Join(w.Dir, "out"))
	for _, e := range entries {
		rec, err := w.Latest(e.Name())
		if err != nil || rec == nil {
			continue
		}
		for _, o := range rec.Outputs {
			users[o.Digest] = append(users[o.Digest], rec.Stage+"."+o.Name)
		}
	}
	return users
}

// A GCReport counts what garbage collection removed (or would remove).
type GCReport struct {
	Objects, Runs, Temps, Kept int
	Bytes                      int64
}

// GC removes stored objects that no run record refers to, and leftover
// temporary files of interrupted writes. With pruneRuns it first drops
// every run record that is not the latest of its stage, so that only the
// latest outputs are kept. With dryRun it removes nothing. The caller
// must hold the workspace lock.
func (w *Workspace) GC(pruneRuns, dryRun bool) (GCReport, error) {
	var rep GCReport
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
		path := filepath.Join(w.Dir, "runs", e.Name())
		key := strings.TrimSuffix(e.Name(), ".json")
		if !strings.HasSuffix(e.Name(), ".json") {
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
		rec, err := readRecord(path)
		if err != nil {
			return rep, fmt.Errorf("gc: %w; remove or repair it first", err)
		}
		if rec == nil {
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
		if err := w.Store.Remove(d); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	if !dryRun {
		n, err := w.Store.RemoveTemp()
		rep.Temps += n
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}
