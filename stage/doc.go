// Package stage is sdapipe's stage framework: what a stage kind declares
// (its parameters with types, defaults, ranges and documentation, its
// nested blocks and its outputs with their artifact schemas), the
// evaluated parameters of one stage, the Env through which a running stage
// reads its inputs and writes its outputs, and the Registry of kinds a
// pipeline file may use.
//
// It holds no science and no kinds: package stages defines sdapipe's kinds
// and builds the registry that cmd/sdapipe hands to package pipeline, and
// tests build registries of their own. Package pipeline decodes
// pipeline.hcl against a registry, plans, and calls each kind's Run with
// an Env (or, in batch jobs, a Split kind's Part and Gather).
//
// Errors returned by a kind's Run, and by Env's methods, do not name the
// stage: the runner adds "stage ADDR: " once.
package stage
