package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"sdapipe/artifacts"
	"sdapipe/schemas"
	"sdapipe/stage"
)

// A Workspace is the directory that holds a pipeline's results:
//
//	objects/ab/cdef…        content-addressed, read-only outputs
//	runs/<key>.json         one record per stage run, written last
//	out/<stage>/<name>.<ext> stable paths (symbolic links) to the latest outputs
//	out/<stage>/record.json the latest record of the stage
//	lock                    held by the process that writes
type Workspace struct {
	Dir   string
	Store *artifacts.Store
}

// OpenWorkspace opens (creating if needed) the workspace at dir.
func OpenWorkspace(dir string) (*Workspace, error) {
	for _, sub := range []string{"runs", "out"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("workspace %s: %w", dir, err)
		}
	}
	st, err := artifacts.OpenStore(filepath.Join(dir, "objects"))
	if err != nil {
		return nil, fmt.Errorf("workspace %s: %w", dir, err)
	}
	return &Workspace{Dir: dir, Store: st}, nil
}

// recordFormat is the version of the run record's JSON layout.
const recordFormat = 1

// A Record describes one completed run of a stage: the parts of its key,
// its outputs and how it ran. It is written only after every output is
// stored, so its presence means the run is complete.
type Record struct {
	Format   int               `json:"format"`
	Stage    string            `json:"stage"`
	Kind     string            `json:"kind"`
	Version  int               `json:"version"`
	Key      string            `json:"key"`
	KeyParts []artifacts.Field `json:"key_parts"`
	Outputs  []stage.Output    `json:"outputs"`
	Started  time.Time         `json:"started"`
	Wall     float64           `json:"wall_seconds"`
	Env      RunEnv            `json:"environment"`
}

// RunEnv records where a run happened. It is not part of the key: an
// upgrade that changes no output semantics reruns nothing.
type RunEnv struct {
	Sdapipe    string `json:"sdapipe"`
	Go         string `json:"go"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Host       string `json:"host,omitempty"`
}

func currentEnv() RunEnv {
	host, _ := os.Hostname()
	return RunEnv{Sdapipe: Version(), Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		GOMAXPROCS: runtime.GOMAXPROCS(0), Host: host}
}

// Output returns the record's output of that name.
func (r *Record) Output(name string) (stage.Output, bool) {
	for _, o := range r.Outputs {
		if o.Name == name {
			return o, true
		}
	}
	return stage.Output{}, false
}

func (w *Workspace) recordPath(key artifacts.Digest) string {
	return filepath.Join(w.Dir, "runs", key.String()+".json")
}

// Record returns the record of a key, or nil if that key never completed.
func (w *Workspace) Record(key artifacts.Digest) (*Record, error) {
	return readRecord(w.recordPath(key))
}

func readRecord(path string) (*Record, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("run record %s: %w", path, err)
	}
	if r.Format != recordFormat {
		return nil, nil // an unknown layout is treated as absent: the stage reruns
	}
	return &r, nil
}

// Latest returns the last record published for a stage address, or nil.
func (w *Workspace) Latest(addr string) (*Record, error) {
	return readRecord(filepath.Join(w.Dir, "out", addr, "record.json"))
}

// writeRecord stores a record under its key, atomically.
func (w *Workspace) writeRecord(r *Record) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	key, err := artifacts.ParseDigest(r.Key)
	if err != nil {
		return err
	}
	return artifacts.WriteFileAtomic(w.recordPath(key), append(b, '\n'), 0o644)
}

// OutPath returns the stable path of a stage's output.
func (w *Workspace) OutPath(addr string, o stage.Output) string {
	ext := o.Format
	if k, ok := schemas.Lookup(o.Schema); ok {
		ext = k.Ext()
	}
	return filepath.Join(w.Dir, "out", addr, o.Name+"."+ext)
}

// publish points out/<stage>/ at a record's outputs: one relative symbolic
// link per output, replaced atomically, then a copy of the record. Files
// of outputs the record does not have are removed.
func (w *Workspace) publish(r *Record) error {
	dir := filepath.Join(w.Dir, "out", r.Stage)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	keep := map[string]bool{"record.json": true}
	for _, o := range r.Outputs {
		path := w.OutPath(r.Stage, o)
		keep[filepath.Base(path)] = true
		target, err := filepath.Rel(dir, w.Store.Path(o.Digest))
		if err != nil {
			return err
		}
		if cur, err := os.Readlink(path); err == nil && cur == target {
			continue
		}
		tmp := path + ".tmp-link"
		os.Remove(tmp)
		if err := os.Symlink(target, tmp); err != nil {
			return fmt.Errorf("publish %s: %w", path, err)
		}
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("publish %s: %w", path, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !keep[e.Name()] {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	path := filepath.Join(dir, "record.json")
	if cur, err := os.ReadFile(path); err == nil && bytes.Equal(cur, b) {
		return nil // a cached run republishes nothing: no write, no fsync
	}
	return artifacts.WriteFileAtomic(path, b, 0o644)
}
