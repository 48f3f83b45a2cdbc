package resmlp

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"sdapipe/nets"
	"sdapipe/settings"
)

// Name is the architecture's name in network configurations and in
// pipeline.hcl (network = "resmlp").
const Name = "resmlp"

// Arch registers the residual MLP with package nets: its settings, as a
// train stage exposes them in a resmlp { ... } block, and how to build
// and rebuild it. The time embedding is fixed at 16 frequencies and a
// hidden width of 256 (docs/method.md §2.3).
var Arch = &nets.Arch{
	Name: Name,
	Doc:  "residual MLP over flattened windows (docs/method.md §2.5), the Lorenz local score network",
	Settings: []settings.Spec{
		{Name: "width", Default: int64(256), Min: settings.Bound(2), Doc: "hidden width W"},
		{Name: "depth", Default: int64(5), Min: settings.Bound(0), Doc: "residual blocks at width W"},
		{Name: "embed", Default: int64(32), Min: settings.Bound(1), Doc: "size E of the time embedding"},
	},
	New: func(w nets.Window, v settings.Values, rng *rand.Rand) (nets.Model, any, error) {
		cfg := Config{Features: w.Size(), Width: v.Int("width"), Depth: v.Int("depth"),
			Embed: v.Int("embed"), EmbedHidden: 256, Freqs: 16}
		n, err := NewNet(cfg, rng)
		if err != nil {
			return nil, nil, err
		}
		return n, cfg, nil
	},
	Load: func(w nets.Window, config json.RawMessage) (nets.Model, error) {
		var cfg Config
		if err := json.Unmarshal(config, &cfg); err != nil {
			return nil, fmt.Errorf("%s: network configuration: %w", Name, err)
		}
		if cfg.Features != w.Size() {
			return nil, &nets.ConfigError{Arch: Name, Msg: fmt.Sprintf(
				"%d features, but windows of %d states of shape %v hold %d values", cfg.Features, w.States, w.State, w.Size())}
		}
		return NewNet(cfg, rand.New(rand.NewPCG(0, 0)))
	},
}
