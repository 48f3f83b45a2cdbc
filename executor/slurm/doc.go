// Package slurm runs a pipeline on a Slurm cluster: each stage that must
// run becomes a batch job that runs that one stage with the same sdapipe
// binary (its hidden run-stage command) on the shared workspace, and the
// jobs are chained with afterok dependencies, so Slurm, not sdapipe,
// decides when each starts.
//
// # The driver
//
// Driver.Run walks the stages in topological order. A stage whose
// upstream is complete is decided against the cache as the local runner
// does: cached stages are published and never submitted. A stage that
// must run, or that waits on a stage running in this run, is submitted
// with --dependency=afterok on the jobs of the stages it waits on and
// --kill-on-invalid-dep=yes, so that when a job fails Slurm itself
// cancels everything downstream. The driver only depends on jobs it
// submitted or re-attached to in this run and saw queued or running:
// Slurm treats afterok on a job it has forgotten as satisfied.
//
// Downstream keys depend on upstream output digests that do not exist at
// submission, so a job computes its stage's key itself, from the records
// of its upstream stages, and exits at once if a complete record exists
// (an upstream stage reran to identical bytes): early cutoff still holds.
//
// The driver then polls squeue (every "poll", 500 ms by default) and,
// when a stage's job completes, reads the record the job wrote and
// publishes it. A job that fails, is cancelled or times out fails its
// stage with the last lines of the job's log in the error; stages Slurm
// cancelled because of it are reported as skipped. A stage whose job is
// held pending for a reason that never clears (PartitionConfig and the
// like) is cancelled and failed with the reason. The run ends when every
// job it followed has ended; the exit codes are the local runner's.
//
// # Splitting a stage: job arrays
//
// A kind with a stage.Split (sample: its chunks draw from their own
// random streams) can run as a job array of "array" tasks, each computing
// a consecutive range of the units into a part file, plus a gather job,
// afterok on the whole array, that assembles the outputs and writes the
// record. Any grouping gives the bytes of the in-process run
// (pipeline.RunJob). Dependents wait on the gather job.
//
// # What lives in the workspace
//
// Under slurm/: jobs.json lists the jobs in flight per stage (with the
// stage's plan key and the config snapshot they load); config/ holds the
// config snapshots (the file's text, its directory and the --set
// overrides, named by their SHA-256), so that a job loads the config the
// driver saw even if the file changes while it is queued; logs/ holds each
// job's output; exit/ holds the exit status each job script records when
// it ends, because Slurm forgets finished jobs after MinJobAge.
//
// # Crashes and interrupts
//
// Ctrl-C (SIGINT or SIGTERM) cancels every job the driver submitted or
// re-attached to. If the driver dies instead, the jobs run on; the next
// run reads jobs.json and re-attaches to the jobs of each stage that are
// still queued or running and compute what the current config asks for
// (same plan key), submits only what is missing, and cancels jobs that
// compute something no longer asked for.
//
// # Locks
//
// The driver holds the workspace lock for the whole run. Jobs take no
// lock: they write content-addressed objects and, last, their record or
// part file, each by an atomic rename, so jobs of different stages write
// side by side, and a second job of the same stage would write the same
// bytes. Only the driver publishes out/ and writes jobs.json.
//
// The sdapipe binary and the workspace must be at the same paths on the
// compute nodes as where the driver runs (a shared file system).
package slurm
