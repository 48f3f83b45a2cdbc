// Package stages holds sdapipe's stage kinds — simulate, dataset, train,
// observe, filter, sample, evaluate — as thin adapters between the artifact store
// and the science packages: each decodes its parameters, reads its inputs
// (checked against their schemas and digests), calls the science code and
// writes its outputs through a stage.Env.
//
// Default builds the registry of every kind, which cmd/sdapipe hands to
// package pipeline; tests build their own with Kinds over a Catalog of
// their own (a test-only system, a test-only network).
//
// # Adding a stage kind
//
// A kind is one file here: a *stage.Kind value that declares its
// parameters (type, default, range, documentation), its outputs and the
// artifact schema of each, a Version that enters every cache key of the
// kind, optional Check and CheckGraph functions that validate parameters
// before anything runs, and a Run function that reads inputs through the
// Env, calls one science package and writes every output through the Env.
// A kind whose work divides into independent units that draw from their
// own random streams may also declare a stage.Split, with Run =
// stage.RunSplit, so that the Slurm executor can run it as a job array;
// sample is the example.
// Add it to the list in Kinds (catalog.go). If it writes a new kind of artifact, declare
// that once in package schemas (schemas/kinds.go). The README's reference
// tables are generated from these declarations (go test ./stages -update).
package stages
