// Command sdapipe runs score-based data assimilation as a reproducible,
// cached pipeline described by pipeline.hcl. See `sdapipe help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/hashicorp/hcl/v2"

	"sdapipe/pipeline"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1 // a stage failed or a run was interrupted
	exitUsage  = 2 // bad configuration or command line
)

// usageError is a problem with the command line or configuration; it
// exits with code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// diagError carries configuration diagnostics to the top level.
type diagError struct{ diags hcl.Diagnostics }

func (e *diagError) Error() string { return e.diags.Error() }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit code. It prints
// results to stdout and problems to stderr, one readable line each.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args, stdout, stderr)
	if err == nil {
		return exitOK
	}
	var de *diagError
	var ue *usageError
	var we *pipeline.WorkspaceError
	switch {
	case errors.As(err, &de):
		printDiags(stderr, de.diags)
		return exitUsage
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "sdapipe: %s\n", ue.msg)
		return exitUsage
	case errors.As(err, &we):
		fmt.Fprintf(stderr, "sdapipe: %v\n", we)
		return exitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "sdapipe: interrupted; completed stages are kept, the interrupted one will rerun")
		return exitFailed
	}
	fmt.Fprintf(stderr, "sdapipe: %v\n", err)
	return exitFailed
}

// printDiags prints each diagnostic on one line, compiler style:
// file:line:column: summary: detail.
func printDiags(w io.Writer, diags hcl.Diagnostics) {
	for _, d := range diags {
		sev := "error"
		if d.Severity == hcl.DiagWarning {
			sev = "warning"
		}
		where := ""
		if d.Subject != nil {
			where = fmt.Sprintf("%s:%d:%d: ", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		detail := ""
		if d.Detail != "" {
			detail = ": " + oneLine(d.Detail)
		}
		fmt.Fprintf(w, "%s%s: %s%s\n", where, sev, d.Summary, detail)
	}
}

func oneLine(s string) string {
	out := make([]rune, 0, len(s))
	space := false
	for _, r := range s {
		if r == '\n' || r == '\t' || r == ' ' {
			space = true
			continue
		}
		if space && len(out) > 0 {
			out = append(out, ' ')
		}
		space = false
		out = append(out, r)
	}
	return string(out)
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, helpText)
		return usagef("no command given; see the list above")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, helpText)
		return nil
	case "version", "--version":
		return cmdVersion(rest, stdout)
	case "run":
		return cmdRun(ctx, rest, stdout, stderr)
	case "run-stage":
		return cmdRunStage(ctx, rest, stdout, stderr)
	case "status":
		return cmdStatus(ctx, rest, stdout, stderr)
	case "dag":
		return cmdDag(rest, stdout, stderr)
	case "show":
		return cmdShow(rest, stdout, stderr)
	case "path":
		return cmdPath(rest, stdout, stderr)
	case "verify":
		return cmdVerify(ctx, rest, stdout, stderr)
	case "gc":
		return cmdGC(ctx, rest, stdout, stderr)
	case "schemas":
		return cmdSchemas(rest, stdout, stderr)
	}
	return usagef("unknown command %q; run 'sdapipe help' for the list", cmd)
}

const helpText = `sdapipe: score-based data assimilation as a reproducible, cached pipeline.

Usage: sdapipe <command> [flags] [arguments]

Commands:
  run full | run STAGE...   run every stage, or the named ones and whatever
                            upstream of them is not cached; a training
                            stopped by Ctrl-C or a kill resumes from its
                            checkpoint (--force starts it over)
  status [--explain]        each stage: cached, or to run and why
  dag [--dot]               the stage graph (text, or Graphviz DOT)
  show STAGE                a stage's last record: key parts, outputs, schemas
  path STAGE OUTPUT         the file a notebook should open for an output
  verify [--repair]         check every run record and rehash every stored
                            object; --repair moves damaged ones aside so
                            that the next run remakes them
  gc [--prune-runs] [-n]    remove stored objects no run record refers to,
                            the files verify or run moved aside and the
                            checkpoints of finished stages (--prune-runs:
                            also old records and all checkpoints)
  schemas                   the artifact kinds sdapipe writes
  version                   sdapipe's version

Common flags:
  --config FILE       pipeline file (default ./pipeline.hcl, else the
                      study embedded in the binary)
  --workspace DIR     results directory (default: the file's workspace,
                      .sdapipe next to it)
  --set STAGE.PARAM=VALUE
                      override a parameter, e.g. --set train.k2.steps=4000;
                      repeatable; an override is cached under its own key
  --log-level LEVEL   trace, debug, info (default), warn or error
  --log-json          log as JSON lines

Flags of run:
  -j, --jobs N        independent stages run at once (default 1)
  --force             rerun the named stages even if cached
  --executor NAME     local (default): run the stages in this process;
                      slurm: submit each stage that must run as an sbatch
                      job (a job array plus a gather job for sample stages
                      with array > 1), chained with afterok, and follow
                      them; resources come from the executor "slurm" block
                      of pipeline.hcl. Ctrl-C cancels the jobs; if this
                      process dies instead, they keep running and the next
                      'run --executor slurm' re-attaches to them. status
                      shows the jobs in flight.

Exit codes: 0 success, 1 a stage failed or the run was interrupted,
2 a configuration or usage error.
`
