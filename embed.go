// Package sdapipe holds what the sdapipe binary embeds from the
// repository root: the default pipeline.hcl, the Lorenz-63 study that
// `sdapipe run full` runs when no pipeline file is given.
package sdapipe

import _ "embed"

// DefaultPipeline is the content of pipeline.hcl at the repository root.
//
//go:embed pipeline.hcl
var DefaultPipeline []byte
