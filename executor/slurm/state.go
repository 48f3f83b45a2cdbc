package slurm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"sdapipe/artifacts"
	"sdapipe/pipeline"
)

// The executor's files in the workspace, all under slurm/:
//
//	jobs.json              the jobs in flight, by stage (written by the driver only)
//	config/<sha256>.json   the config snapshots jobs load
//	logs/<stage>.<job>.out each job's standard output and error
//	exit/<job>             the exit status of a job that ran to its end
//
// Exit files are the durable answer to "how did job N end": Slurm forgets
// finished jobs after its MinJobAge.
func dirOf(ws string) string       { return filepath.Join(ws, "slurm") }
func logDir(ws string) string      { return filepath.Join(dirOf(ws), "logs") }
func exitDir(ws string) string     { return filepath.Join(dirOf(ws), "exit") }
func snapshotDir(ws string) string { return filepath.Join(dirOf(ws), "config") }
func registryPath(ws string) string {
	return filepath.Join(dirOf(ws), "jobs.json")
}

// registryFormat is the version of jobs.json's layout.
const registryFormat = 1

// A registry lists the stages whose jobs a driver submitted and has not
// yet seen end, so that a later driver can re-attach to them.
type registry struct {
	Format int               `json:"format"`
	Stages map[string]*entry `json:"stages"`
}

// An entry is the jobs of one stage.
type entry struct {
	Stage     string    `json:"stage"`
	Plan      string    `json:"plan"`     // the stage's plan key when submitted
	Snapshot  string    `json:"snapshot"` // the config the jobs load
	Job       string    `json:"job"`      // the job that runs the stage, or the gather step of an array
	Log       string    `json:"log"`
	Array     string    `json:"array,omitempty"` // the job array of a split stage's parts
	Tasks     int       `json:"tasks,omitempty"`
	Submitted time.Time `json:"submitted"`
}

// jobs returns the entry's job ids: the array first, if any.
func (e *entry) jobs() []string {
	if e.Array != "" {
		return []string{e.Array, e.Job}
	}
	return []string{e.Job}
}

// taskLog returns the log file of task i of the entry's array.
func (e *entry) taskLog(ws string, i int) string {
	return filepath.Join(logDir(ws), fmt.Sprintf("%s.%s_%d.out", e.Stage, e.Array, i))
}

// The files sdapipe reads back from slurm/ are read only if they are
// regular files, within these limits: a FIFO or device planted there is
// refused instead of read forever. A log is read from its end only.
var (
	stateLimit = artifacts.Limit{Max: 64 << 20, Use: "a Slurm state file",
		Why: "the registry, config snapshots and exit files sdapipe writes are far smaller"}
	logLimit = artifacts.Limit{Max: 1 << 62, Use: "a job log", Why: "only its last lines are read"}
)

func loadRegistry(ws string) (*registry, error) {
	r := &registry{Format: registryFormat, Stages: map[string]*entry{}}
	b, err := artifacts.ReadRegular(registryPath(ws), stateLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	var got registry
	if err := json.Unmarshal(b, &got); err != nil {
		return nil, fmt.Errorf("%s: %w", registryPath(ws), err)
	}
	if got.Format != registryFormat {
		return nil, fmt.Errorf("%s has format %d; this sdapipe reads format %d", registryPath(ws), got.Format, registryFormat)
	}
	if got.Stages != nil {
		r.Stages = got.Stages
	}
	return r, nil
}

// save writes the registry atomically; with no stages left it removes it.
func (r *registry) save(ws string) error {
	if len(r.Stages) == 0 {
		err := os.Remove(registryPath(ws))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := artifacts.EnsureDirUnder(ws, dirOf(ws), 0o755); err != nil {
		return err
	}
	return artifacts.WriteFileAtomic(registryPath(ws), append(b, '\n'), 0o644)
}

// A snapshot is what a job needs to load the driver's config: the file's
// text and name, the directory relative paths resolve against, and the
// --set overrides.
type snapshot struct {
	Filename  string   `json:"filename"`
	Dir       string   `json:"dir"`
	Source    string   `json:"source"`
	Overrides []string `json:"overrides"`
}

// writeSnapshot stores the config's snapshot under the SHA-256 of its
// JSON and returns that name. The file may change while jobs are queued;
// the snapshot does not.
func writeSnapshot(ws string, cfg *pipeline.Config) (string, error) {
	b, err := json.MarshalIndent(snapshot{Filename: cfg.Filename, Dir: cfg.Dir, Source: string(cfg.Source),
		Overrides: cfg.Overrides}, "", "  ")
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	name := hex.EncodeToString(sum[:])
	path := filepath.Join(snapshotDir(ws), name+".json")
	if _, err := os.Stat(path); err == nil {
		return name, nil
	}
	if err := artifacts.EnsureDirUnder(ws, snapshotDir(ws), 0o755); err != nil {
		return "", err
	}
	return name, artifacts.WriteFileAtomic(path, b, 0o644)
}

func readSnapshot(ws, name string) (*snapshot, error) {
	if len(name) != 64 || strings.Trim(name, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("bad config snapshot name %q", name)
	}
	b, err := artifacts.ReadRegular(filepath.Join(snapshotDir(ws), name+".json"), stateLimit)
	if err != nil {
		return nil, fmt.Errorf("config snapshot: %w", err)
	}
	var s snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("config snapshot %s: %w", name, err)
	}
	return &s, nil
}

// exitName names the exit file of a job (index -1) or of an array task.
func exitName(job string, index int) string {
	if index < 0 {
		return job
	}
	return job + "_" + strconv.Itoa(index)
}

// readExit returns the exit status a job's script recorded, and whether
// it recorded one.
func readExit(ws, job string, index int) (int, bool) {
	b, err := artifacts.ReadRegular(filepath.Join(exitDir(ws), exitName(job, index)), stateLimit)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return n, err == nil
}

// removeExits removes the exit files of an entry's jobs.
func removeExits(ws string, e *entry) {
	os.Remove(filepath.Join(exitDir(ws), e.Job))
	for i := range e.Tasks {
		os.Remove(filepath.Join(exitDir(ws), exitName(e.Array, i)))
	}
}

// tailLines is how much of a failed job's log goes into its error.
const (
	tailLines = 20
	tailBytes = 8 << 10
)

// logTail returns the last lines of a log file, indented, or a note
// saying why there are none.
func logTail(path string) string {
	f, _, err := artifacts.OpenRegular(path, logLimit)
	if err != nil {
		return fmt.Sprintf("no log at %s (%v)", path, errors.Unwrap(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err.Error()
	}
	off := max(st.Size()-tailBytes, 0)
	b := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(b, off); err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if off > 0 && len(lines) > 1 {
		lines = lines[1:] // the first may be cut
	}
	if len(lines) > tailLines {
		lines = lines[len(lines)-tailLines:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return fmt.Sprintf("its log %s is empty", path)
	}
	return fmt.Sprintf("last lines of %s:\n    %s", path, strings.Join(lines, "\n    "))
}

// InFlight describes the jobs of a workspace's stages that a driver
// submitted and did not see end, with their state as Slurm reports it.
type InFlight struct {
	Stage string
	Jobs  string // e.g. "job 12" or "array 13 (4 tasks), gather job 14"
	State string // e.g. "RUNNING", "2 RUNNING, 2 PENDING", or why it is unknown
	Log   string // the log of the stage's job (the gather step's, for an array)
	// Live is true when a job may still run, or when Slurm was not asked
	// or did not answer.
	Live bool
}

// Flights lists the jobs in flight recorded in the workspace at ws,
// asking c for their states (c nil: do not ask).
func Flights(ctx context.Context, ws string, c Cluster) ([]InFlight, error) {
	reg, err := loadRegistry(ws)
	if err != nil || len(reg.Stages) == 0 {
		return nil, err
	}
	var ids []string
	for _, e := range reg.Stages {
		ids = append(ids, e.jobs()...)
	}
	var tasks []Task
	qerr := errors.New("not asked")
	if c != nil {
		tasks, qerr = c.Query(ctx, ids)
	}
	var out []InFlight
	for _, e := range reg.Stages {
		f := InFlight{Stage: e.Stage, Jobs: "job " + e.Job, Log: e.Log}
		if e.Array != "" {
			f.Jobs = fmt.Sprintf("array %s (%d tasks), gather job %s", e.Array, e.Tasks, e.Job)
		}
		if qerr != nil {
			f.State, f.Live = "state unknown: "+qerr.Error(), true
		} else {
			f.State = summarize(tasks, e)
			for _, t := range tasks {
				if (t.Job == e.Job || t.Job == e.Array) && live([]Task{t}) {
					f.Live = true
				}
			}
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Stage < out[j].Stage })
	return out, nil
}

// summarize counts the states of an entry's jobs, e.g. "parts: 3
// COMPLETED, 1 RUNNING; gather: PENDING".
func summarize(tasks []Task, e *entry) string {
	count := func(job string) string {
		n := map[string]int{}
		var states []string
		for _, t := range tasks {
			if t.Job == job {
				if n[t.State] == 0 {
					states = append(states, t.State)
				}
				n[t.State]++
			}
		}
		if len(states) == 0 {
			return "no longer known to Slurm"
		}
		sort.Strings(states)
		var parts []string
		for _, s := range states {
			if n[s] == 1 && len(states) == 1 {
				parts = append(parts, s)
			} else {
				parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
			}
		}
		return strings.Join(parts, ", ")
	}
	if e.Array == "" {
		return count(e.Job)
	}
	return "parts: " + count(e.Array) + "; gather: " + count(e.Job)
}
