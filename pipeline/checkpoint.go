package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sdapipe/artifacts"
)

// Checkpoints of interrupted stages live in checkpoints/<key>, one file
// per cache key, so a stage resumes only an attempt at exactly the same
// computation. The runner removes the file once the stage's record is
// written and before a forced run; gc removes those of finished keys (and,
// with --prune-runs, all).

// checkpointLimit bounds a checkpoint read back: the state of a training
// run is three float32 copies of the weights (a 22.9 M-parameter U-Net:
// 275 MB).
var checkpointLimit = artifacts.Limit{Max: 4 << 30, Use: "a checkpoint",
	Why: "larger than any state sdapipe saves"}

// fileCheckpoint is a stage.Checkpoint kept in a workspace file.
type fileCheckpoint struct {
	ws   *Workspace
	path string
}

func (w *Workspace) checkpointDir() string { return filepath.Join(w.Dir, "checkpoints") }

func (w *Workspace) checkpoint(key artifacts.Digest) *fileCheckpoint {
	return &fileCheckpoint{ws: w, path: filepath.Join(w.checkpointDir(), key.String())}
}

// Load returns the saved state, or nil if there is none. A link in the
// checkpoint's place is not read through: it is treated as absent (the
// next Save replaces it).
func (c *fileCheckpoint) Load() ([]byte, error) {
	fi, err := os.Lstat(c.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("checkpoint: %w", err)
	case !fi.Mode().IsRegular():
		return nil, nil
	}
	b, err := artifacts.ReadRegular(c.path, checkpointLimit)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return b, nil
}

// Save writes the state atomically (temporary file, fsync, rename), never
// through a link.
func (c *fileCheckpoint) Save(state []byte) error {
	if err := artifacts.EnsureDirUnder(c.ws.Dir, filepath.Dir(c.path), 0o755); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := artifacts.WriteFileAtomic(c.path, state, 0o644); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// exists says whether a checkpoint has been saved.
func (c *fileCheckpoint) exists() bool {
	fi, err := os.Lstat(c.path)
	return err == nil && fi.Mode().IsRegular()
}

// remove deletes the checkpoint (a link in its place is removed itself).
func (c *fileCheckpoint) remove() {
	os.Remove(c.path)
}

// gcCheckpoints removes the checkpoints whose key has a run record (their
// stage finished) and, with all, every other one too, with their
// temporary files; it returns how many files and bytes it removed (or, with
// dryRun, would remove). Entries are removed by name, a link itself.
func (w *Workspace) gcCheckpoints(all, dryRun bool) (int, int64, error) {
	dir := w.checkpointDir()
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
		return 0, 0, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0, fmt.Errorf("gc: %w", err)
	}
	n, bytes := 0, int64(0)
	for _, e := range ents {
		name := e.Name()
		temp := strings.HasPrefix(name, ".")
		if !temp && !all {
			if _, err := os.Lstat(filepath.Join(w.Dir, "runs", name+".json")); err != nil {
				continue
			}
		}
		if fi, err := e.Info(); err == nil {
			bytes += fi.Size()
		}
		n++
		if !dryRun {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return n, bytes, fmt.Errorf("gc: %w", err)
			}
		}
	}
	return n, bytes, nil
}
