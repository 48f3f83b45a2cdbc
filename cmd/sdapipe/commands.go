package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/pflag"

	"sdapipe"
	"sdapipe/executor/slurm"
	"sdapipe/pipeline"
	"sdapipe/schemas"
	"sdapipe/stages"
)

// common holds the flags every command takes.
type common struct {
	config    string
	workspace string
	sets      []string
	logLevel  string
	logJSON   bool
	slurm     *slurm.Settings // the executor "slurm" block, decoded by load
}

func newFlags(name string, c *common) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.config, "config", "", "pipeline file")
	fs.StringVar(&c.workspace, "workspace", "", "workspace directory")
	fs.StringArrayVar(&c.sets, "set", nil, "override STAGE.PARAM=VALUE")
	fs.StringVar(&c.logLevel, "log-level", "info", "log level")
	fs.BoolVar(&c.logJSON, "log-json", false, "log as JSON")
	return fs
}

func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return usagef("see 'sdapipe help'")
		}
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

func (c *common) logger(out io.Writer) (hclog.Logger, error) {
	level := hclog.LevelFromString(c.logLevel)
	if level == hclog.NoLevel {
		return nil, usagef("--log-level %q: use trace, debug, info, warn or error", c.logLevel)
	}
	return hclog.New(&hclog.LoggerOptions{
		Name: "sdapipe", Level: level, JSONFormat: c.logJSON, Output: out,
		Color: hclog.AutoColor, DisableTime: !c.logJSON,
	}), nil
}

// load reads the pipeline: --config, else ./pipeline.hcl, else the
// embedded default study. A file that sets no seed gets seed 0 and a
// warning on stderr.
func (c *common) load(stderr io.Writer) (*pipeline.Config, error) {
	var cfg *pipeline.Config
	var diags hcl.Diagnostics
	kinds := stages.Default()
	switch {
	case c.config != "":
		cfg, diags = pipeline.LoadFile(kinds, c.config, c.sets)
	case fileExists("pipeline.hcl"):
		cfg, diags = pipeline.LoadFile(kinds, "pipeline.hcl", c.sets)
	default:
		wd, _ := os.Getwd()
		cfg, diags = pipeline.Load(kinds, "pipeline.hcl (embedded default)", wd, sdapipe.DefaultPipeline, c.sets)
	}
	if diags.HasErrors() {
		return nil, &diagError{diags}
	}
	if !cfg.SeedSet {
		fmt.Fprintf(stderr, "%s: warning: No seed: the file sets no seed, so every random stream derives from seed = 0, as in any other file without one; set seed = N to choose.\n", cfg.Filename)
	}
	if c.slurm, diags = checkExecutors(cfg); diags.HasErrors() {
		return nil, &diagError{diags}
	}
	if c.workspace != "" {
		abs, err := filepath.Abs(c.workspace)
		if err != nil {
			return nil, usagef("--workspace %q: %v", c.workspace, err)
		}
		cfg.Workspace = abs
	}
	return cfg, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// openWorkspace opens the config's existing workspace for reading; it
// creates nothing.
func openWorkspace(cfg *pipeline.Config) (*pipeline.Workspace, error) {
	if _, err := os.Stat(cfg.Workspace); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no workspace at %s yet: run 'sdapipe run full' first", cfg.Workspace)
	}
	return pipeline.InspectWorkspace(cfg.Workspace)
}

// loadWorkspace loads the pipeline and opens its existing workspace.
func (c *common) loadWorkspace(stderr io.Writer) (*pipeline.Config, *pipeline.Workspace, error) {
	cfg, err := c.load(stderr)
	if err != nil {
		return nil, nil, err
	}
	ws, err := openWorkspace(cfg)
	return cfg, ws, err
}

func cmdVersion(args []string, stdout io.Writer) error {
	var c common
	fs := newFlags("version", &c)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("version takes no arguments, only the common flags; got %q", fs.Arg(0))
	}
	fmt.Fprintf(stdout, "sdapipe %s %s %s/%s\n", pipeline.Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// targets turns command-line stage names into addresses; "full" (or
// nothing) means every stage.
func targets(cfg *pipeline.Config, args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if a == "full" || a == "all" {
			return cfg.Addrs(), nil
		}
		if cfg.Stage(a) == nil {
			return nil, usagef("no stage %q in %s; stages: %s", a, cfg.Filename, strings.Join(cfg.Addrs(), ", "))
		}
		out = append(out, a)
	}
	return out, nil
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("run", &c)
	jobs := fs.IntP("jobs", "j", 1, "stages at once")
	force := fs.Bool("force", false, "rerun named stages")
	executor := fs.String("executor", "local", "local or slurm")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *executor != "local" && *executor != "slurm" {
		return usagef("--executor %q: use local (this machine) or slurm (batch jobs)", *executor)
	}
	if fs.NArg() == 0 {
		return usagef("run needs 'full' or stage names, e.g. 'sdapipe run full' or 'sdapipe run train.k2'")
	}
	if *jobs < 1 {
		return usagef("-j %d: need at least 1", *jobs)
	}
	cfg, err := c.load(stderr)
	if err != nil {
		return err
	}
	tgts, err := targets(cfg, fs.Args())
	if err != nil {
		return err
	}
	bars := newProgress(stderr)
	log, err := c.logger(bars.logOutput())
	if err != nil {
		return err
	}
	lock, err := pipeline.LockWorkspace(ctx, cfg.Workspace, func(holder string) {
		log.Warn("waiting for the workspace lock", "workspace", cfg.Workspace, "holder", holder)
	})
	if err != nil {
		return err
	}
	defer lock.Unlock()
	ws, err := pipeline.OpenWorkspace(cfg.Workspace)
	if err != nil {
		return err
	}
	forced := map[string]bool{}
	if *force {
		for _, a := range fs.Args() {
			if a == "full" || a == "all" {
				for _, x := range cfg.Addrs() {
					forced[x] = true
				}
			} else {
				forced[a] = true
			}
		}
	}
	var results []*pipeline.Result
	if *executor == "slurm" {
		results, err = runSlurm(ctx, &c, cfg, ws, log, tgts, forced)
	} else {
		warnInFlight(ctx, ws.Dir, log)
		r := &pipeline.Runner{Config: cfg, WS: ws, Log: log, Jobs: *jobs, Force: forced, Progress: bars.start(log)}
		results, err = r.Run(ctx, tgts)
	}
	bars.wait()
	printSummary(stdout, results)
	return err
}

func printSummary(w io.Writer, results []*pipeline.Result) {
	for _, r := range results {
		if r == nil {
			continue
		}
		switch r.Outcome {
		case pipeline.Ran:
			fmt.Fprintf(w, "%-24s ran in %.2fs%s\n", r.Addr, r.Wall.Seconds(), jobNote(r))
		case pipeline.Cached:
			fmt.Fprintf(w, "%-24s cached%s\n", r.Addr, jobNote(r))
		case pipeline.Failed:
			fmt.Fprintf(w, "%-24s FAILED%s\n", r.Addr, jobNote(r))
		default:
			fmt.Fprintf(w, "%-24s %s: %s\n", r.Addr, r.Outcome, strings.Join(r.Reasons, "; "))
		}
	}
}

func jobNote(r *pipeline.Result) string {
	if r.Job == "" {
		return ""
	}
	return " (" + r.Job + ")"
}

func cmdStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("status", &c)
	explain := fs.Bool("explain", false, "say why")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := c.load(stderr)
	if err != nil {
		return err
	}
	tgts, err := targets(cfg, fs.Args())
	if err != nil {
		return err
	}
	// Looking creates nothing: a new workspace path reads as empty.
	ws, err := pipeline.InspectWorkspace(cfg.Workspace)
	if err != nil {
		return err
	}
	ds, err := cfg.Status(ws, tgts, nil)
	if err != nil {
		return err
	}
	flights := flightsByStage(ctx, ws.Dir)
	for _, d := range ds {
		state := "cached"
		if d.Run {
			state = "to run"
		}
		f, inFlight := flights[d.Addr]
		if inFlight {
			state += fmt.Sprintf(" (in flight on Slurm: %s, %s)", f.Jobs, f.State)
			delete(flights, d.Addr)
		}
		fmt.Fprintf(stdout, "%-24s %s\n", d.Addr, state)
		if d.Run && *explain {
			for _, r := range d.Reasons {
				fmt.Fprintf(stdout, "    %s\n", r)
			}
		}
		if inFlight && *explain {
			fmt.Fprintf(stdout, "    log %s\n", f.Log)
		}
	}
	rest := slices.Sorted(maps.Keys(flights))
	for _, addr := range rest {
		f := flights[addr]
		fmt.Fprintf(stdout, "%-24s in flight on Slurm: %s, %s\n", f.Stage, f.Jobs, f.State)
	}
	return nil
}

func cmdDag(args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("dag", &c)
	dot := fs.Bool("dot", false, "Graphviz DOT")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := c.load(stderr)
	if err != nil {
		return err
	}
	if *dot {
		fmt.Fprint(stdout, cfg.Dot())
	} else {
		fmt.Fprint(stdout, cfg.Text())
	}
	return nil
}

func cmdShow(args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("show", &c)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("show takes one stage, e.g. 'sdapipe show simulate.lorenz'")
	}
	cfg, err := c.load(stderr)
	if err != nil {
		return err
	}
	if _, err := targets(cfg, fs.Args()); err != nil {
		return err
	}
	ws, err := openWorkspace(cfg)
	if err != nil {
		return err
	}
	addr := fs.Arg(0)
	rec, err := ws.Latest(addr)
	if err != nil {
		return err
	}
	if rec == nil {
		return fmt.Errorf("%s has not run yet in %s", addr, cfg.Workspace)
	}
	fmt.Fprintf(stdout, "stage    %s (kind %s, code version %d)\n", rec.Stage, rec.Kind, rec.Version)
	fmt.Fprintf(stdout, "key      %s\n", rec.Key)
	fmt.Fprintf(stdout, "ran      %s, %.2fs, sdapipe %s, %s %s/%s, GOMAXPROCS %d\n", rec.Started.Format("2006-01-02 15:04:05 MST"),
		rec.Wall, rec.Env.Sdapipe, rec.Env.Go, rec.Env.OS, rec.Env.Arch, rec.Env.GOMAXPROCS)
	fmt.Fprintln(stdout, "key parts:")
	for _, f := range rec.KeyParts {
		fmt.Fprintf(stdout, "    %-28s %s\n", f.Label, f.Value)
	}
	fmt.Fprintln(stdout, "outputs:")
	for _, o := range rec.Outputs {
		layout := o.Format
		if k, ok := schemas.Lookup(o.Schema); ok {
			layout = k.Shape()
			if k.Units != "" {
				layout += ", " + k.Units + " units"
			}
		}
		shape := ""
		if o.Shape != nil {
			shape = fmt.Sprintf(" shape %v", o.Shape)
		}
		fmt.Fprintf(stdout, "    %-16s %s%s, %d bytes, sha256 %s\n", o.Name, o.Schema, shape, o.Size, o.Digest)
		fmt.Fprintf(stdout, "    %-16s %s\n", "", layout)
		fmt.Fprintf(stdout, "    %-16s %s\n", "", ws.OutPath(rec.Stage, o))
	}
	return nil
}

func cmdPath(args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("path", &c)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("path takes a stage and an output, e.g. 'sdapipe path simulate.lorenz train'")
	}
	cfg, err := c.load(stderr)
	if err != nil {
		return err
	}
	addr, name := fs.Arg(0), fs.Arg(1)
	st := cfg.Stage(addr)
	if st == nil {
		return usagef("no stage %q in %s; stages: %s", addr, cfg.Filename, strings.Join(cfg.Addrs(), ", "))
	}
	if _, ok := st.Kind.Output(name); !ok {
		var names []string
		for _, o := range st.Kind.Outputs {
			names = append(names, o.Name)
		}
		return usagef("a %s stage has no output %q; outputs: %s", st.Kind.Name, name, strings.Join(names, ", "))
	}
	ws, err := openWorkspace(cfg)
	if err != nil {
		return err
	}
	rec, err := ws.Latest(addr)
	if err != nil {
		return err
	}
	if rec == nil {
		return fmt.Errorf("%s has not run yet: run 'sdapipe run %s'", addr, addr)
	}
	o, ok := rec.Output(name)
	if !ok {
		return fmt.Errorf("%s's last run wrote no %s", addr, name)
	}
	fmt.Fprintln(stdout, ws.OutPath(addr, o))
	return nil
}

func cmdVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("verify", &c)
	repair := fs.Bool("repair", false, "move damaged files aside")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("verify takes no arguments; it checks the whole workspace")
	}
	cfg, ws, err := c.loadWorkspace(stderr)
	if err != nil {
		return err
	}
	if *repair {
		lock, err := pipeline.LockWorkspace(ctx, cfg.Workspace, func(holder string) {
			fmt.Fprintf(stderr, "sdapipe: waiting for the workspace lock held by %s\n", holder)
		})
		if err != nil {
			return err
		}
		defer lock.Unlock()
		if ws, err = pipeline.OpenWorkspace(cfg.Workspace); err != nil {
			return err
		}
	}
	rep, err := ws.Verify(ctx, *repair)
	if err != nil {
		return err
	}
	for _, bad := range rep.Corrupt {
		fmt.Fprintf(stdout, "corrupt: %s\n", bad)
	}
	for _, m := range rep.Missing {
		fmt.Fprintf(stdout, "missing: %s\n", m)
	}
	for _, r := range rep.BadRecords {
		fmt.Fprintf(stdout, "unreadable run record: %s\n", r)
	}
	for _, m := range rep.Moved {
		fmt.Fprintf(stdout, "moved aside: %s\n", m)
	}
	fmt.Fprintf(stdout, "%d objects checked, %d corrupt, %d missing; %d run records read, %d unreadable\n",
		rep.Checked, len(rep.Corrupt), len(rep.Missing), rep.Records, len(rep.BadRecords))
	switch {
	case rep.Problems() == 0:
		return nil
	case *repair && len(rep.Rerun) > 0:
		fmt.Fprintf(stdout, "the next run reruns %s\n", strings.Join(rep.Rerun, ", "))
		return nil
	case *repair:
		return nil
	}
	return fmt.Errorf("%d problems found; 'sdapipe verify --repair' moves the damaged files into %s, and the next run remakes them",
		rep.Problems(), filepath.Join(cfg.Workspace, "quarantine"))
}

func cmdGC(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("gc", &c)
	prune := fs.Bool("prune-runs", false, "drop old run records first, and the checkpoints of interrupted stages")
	dry := fs.BoolP("dry-run", "n", false, "only say what would go")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, ws, err := c.loadWorkspace(stderr)
	if err != nil {
		return err
	}
	lock, err := pipeline.LockWorkspace(ctx, cfg.Workspace, func(holder string) {
		fmt.Fprintf(stderr, "sdapipe: waiting for the workspace lock held by %s\n", holder)
	})
	if err != nil {
		return err
	}
	defer lock.Unlock()
	if err := refuseWhileJobsRun(ctx, ws.Dir); err != nil {
		return err
	}
	rep, err := ws.GC(*prune, *dry)
	if err != nil {
		return err
	}
	verb := "removed"
	if *dry {
		verb = "would remove"
	}
	fmt.Fprintf(stdout, "%s %d objects (%d bytes), %d run records, %d temporary files, %d quarantined files, %d checkpoints (%d bytes); kept %d objects\n",
		verb, rep.Objects, rep.Bytes, rep.Runs, rep.Temps, rep.Quarantined, rep.Checkpoints, rep.CheckpointBytes, rep.Kept)
	if rep.BadRecords > 0 {
		moved := "moved aside"
		if *dry {
			moved = "would move aside"
		}
		fmt.Fprintf(stdout, "%s %d unreadable run records; their stages rerun on the next run\n", moved, rep.BadRecords)
	}
	return nil
}

// cmdSchemas prints the artifact kinds. It takes the common flags, as
// every command does, though the kinds depend on no pipeline file.
func cmdSchemas(args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("schemas", &c)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("schemas takes no arguments, only the common flags; got %q", fs.Arg(0))
	}
	if _, err := c.logger(io.Discard); err != nil {
		return err
	}
	fmt.Fprint(stdout, schemas.Markdown())
	return nil
}
