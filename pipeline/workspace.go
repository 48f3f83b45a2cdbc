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
	"strings"
	"syscall"
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
//	quarantine/             damaged records and objects, moved aside
//	lock                    held by the process that writes
//
// Nothing is ever created, replaced or removed through a symbolic link:
// the workspace itself may be a link (to keep results on another disk),
// but a link in place of one of its directories is refused (runs, out,
// objects) or replaced by a directory (out/<stage>, a shard of objects,
// quarantine), and files are replaced by renaming onto the link itself.
type Workspace struct {
	Dir   string
	Store *artifacts.Store
	// readOnly workspaces (InspectWorkspace) move nothing aside.
	readOnly bool
}

// The directories of a workspace that must be real ones.
var workspaceDirs = []string{"runs", "out", "objects"}

// OpenWorkspace opens the workspace at dir for writing, creating it if
// needed. A caller that writes must hold its lock ([LockWorkspace]).
// A dir that is not a directory, or a symbolic link in place of runs, out
// or objects, is a [*WorkspaceError].
func OpenWorkspace(dir string) (*Workspace, error) {
	if err := makeWorkspaceDir(dir); err != nil {
		return nil, err
	}
	for _, sub := range workspaceDirs {
		path := filepath.Join(dir, sub)
		err := os.Mkdir(path, 0o755)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("workspace %s: %w", dir, err)
		}
		if err := checkWorkspaceSub(dir, sub); err != nil {
			return nil, err
		}
	}
	st, err := artifacts.OpenStore(filepath.Join(dir, "objects"))
	if err != nil {
		return nil, fmt.Errorf("workspace %s: %w", dir, err)
	}
	w := &Workspace{Dir: dir, Store: st}
	st.SetQuarantine(w.quarantineDir())
	return w, nil
}

// InspectWorkspace opens the workspace at dir for looking only: it creates
// nothing (a missing directory reads as an empty workspace) and moves
// nothing aside. Its errors are those of [OpenWorkspace].
func InspectWorkspace(dir string) (*Workspace, error) {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return nil, notADirectory(dir)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("workspace %s: %w", dir, err)
	}
	if err == nil {
		for _, sub := range workspaceDirs {
			if err := checkWorkspaceSub(dir, sub); err != nil {
				return nil, err
			}
		}
	}
	return &Workspace{Dir: dir, Store: artifacts.StoreAt(filepath.Join(dir, "objects")), readOnly: true}, nil
}

// makeWorkspaceDir creates dir (and its parents) unless it exists; a
// file there is a [*WorkspaceError].
func makeWorkspaceDir(dir string) error {
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		return nil
	}
	if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() || errors.Is(err, syscall.ENOTDIR) {
		return notADirectory(dir)
	}
	return fmt.Errorf("workspace %s: %w", dir, err)
}

func notADirectory(dir string) error {
	return &WorkspaceError{Dir: dir, Msg: "this path is a file, not a directory; choose another --workspace or move the file away."}
}

// checkWorkspaceSub checks that dir/sub, if present, is a real directory.
func checkWorkspaceSub(dir, sub string) error {
	fi, err := os.Lstat(filepath.Join(dir, sub))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("workspace %s: %w", dir, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(filepath.Join(dir, sub))
		return &WorkspaceError{Dir: dir, Msg: fmt.Sprintf(
			"%s is a symbolic link (to %s); sdapipe creates and removes files only inside the workspace, so %s must be a directory of its own. To keep results elsewhere, point --workspace (or a link in place of the whole workspace) there.",
			sub, target, sub)}
	case !fi.IsDir():
		return &WorkspaceError{Dir: dir, Msg: fmt.Sprintf("%s is not a directory; move it out of the workspace.", sub)}
	}
	return nil
}

func (w *Workspace) quarantineDir() string { return filepath.Join(w.Dir, "quarantine") }

// rel names a path inside the workspace for messages: runs/<key>.json.
func (w *Workspace) rel(path string) string {
	if r, err := filepath.Rel(w.Dir, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
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

// recordLimit bounds the size of a run record read back.
var recordLimit = artifacts.Limit{Max: 16 << 20, Use: "a run record",
	Why: "a record lists a stage's parameters and outputs, a few kilobytes"}

// Record returns the record of a key, or nil if that key never completed.
// A record that cannot be used is a [*RecordError].
func (w *Workspace) Record(key artifacts.Digest) (*Record, error) {
	return readRecord(w.recordPath(key), key.String(), "")
}

// readRecord reads a record file and checks it against the key and stage
// it must have (either may be "" for any). A missing file, or one of an
// unknown format (written by another version), is nil: the stage reruns.
func readRecord(path, key, addr string) (*Record, error) {
	b, err := artifacts.ReadRegular(path, recordLimit)
	var fe *artifacts.FileError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case errors.As(err, &fe):
		return nil, &RecordError{Path: path, Reason: strings.TrimSuffix(fe.Msg, ".")}
	case err != nil:
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, &RecordError{Path: path, Reason: "its JSON is malformed (" + err.Error() + ")"}
	}
	if r.Format != recordFormat {
		return nil, nil // an unknown layout is treated as absent: the stage reruns
	}
	if msg := r.check(key, addr); msg != "" {
		return nil, &RecordError{Path: path, Reason: msg}
	}
	return &r, nil
}

// check says what in a decoded record contradicts where it was found, or "".
func (r *Record) check(key, addr string) string {
	switch {
	case key != "" && r.Key != key:
		return fmt.Sprintf("it holds key %q, not the %s its name says", short(r.Key), short(key))
	case addr != "" && r.Stage != addr:
		return fmt.Sprintf("it is the record of stage %q, not of %s", r.Stage, addr)
	case r.Stage == "":
		return "it names no stage"
	}
	if _, err := artifacts.ParseDigest(r.Key); err != nil {
		return fmt.Sprintf("its key %q is not a SHA-256", r.Key)
	}
	seen := map[string]bool{}
	for _, o := range r.Outputs {
		switch {
		case o.Name == "" || seen[o.Name]:
			return fmt.Sprintf("its output name %q is empty or repeated", o.Name)
		case o.Digest == artifacts.Digest{}:
			return fmt.Sprintf("its output %s has no digest", o.Name)
		case o.Size < 0:
			return fmt.Sprintf("its output %s has the size %d", o.Name, o.Size)
		}
		seen[o.Name] = true
	}
	return ""
}

// Latest returns the last record published for a stage address, or nil.
// A copy that cannot be used is a [*RecordError].
func (w *Workspace) Latest(addr string) (*Record, error) {
	return readRecord(w.latestPath(addr), "", addr)
}

func (w *Workspace) latestPath(addr string) string {
	return filepath.Join(w.Dir, "out", addr, "record.json")
}

// setAside moves a damaged record or object file into the quarantine
// directory, unless the workspace is read-only, and says what happened.
func (w *Workspace) setAside(path, name string) (string, error) {
	if w.readOnly {
		return "", errors.New("the workspace is open read-only")
	}
	dst, err := artifacts.MoveAside(path, w.quarantineDir(), name)
	if err != nil {
		return "", err
	}
	return w.rel(dst), nil
}

// healRecord handles an unusable record found while deciding a stage:
// with heal it is moved aside. It returns the reason to give.
func (w *Workspace) healRecord(bad *RecordError, heal bool) string {
	what := fmt.Sprintf("its run record %s is unreadable (%s)", w.rel(bad.Path), bad.Reason)
	if !heal || w.readOnly {
		return what + "; the next run moves it aside"
	}
	dst, err := w.setAside(bad.Path, "run-"+filepath.Base(bad.Path))
	if err != nil {
		return fmt.Sprintf("%s and could not be moved aside: %v", what, err)
	}
	return fmt.Sprintf("%s; moved aside to %s", what, dst)
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
// of outputs the record does not have are removed. A link or file in
// place of out/<stage> is replaced by a directory first, so that nothing
// is written or removed where it points.
func (w *Workspace) publish(r *Record) error {
	dir := filepath.Join(w.Dir, "out", r.Stage)
	if err := artifacts.EnsureDir(dir, 0o755); err != nil {
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
	if cur, err := artifacts.ReadRegular(path, recordLimit); err == nil && bytes.Equal(cur, b) {
		return nil // a cached run republishes nothing: no write, no fsync
	}
	return artifacts.WriteFileAtomic(path, b, 0o644)
}
