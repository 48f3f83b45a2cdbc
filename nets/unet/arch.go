package unet

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"sdapipe/nets"
	"sdapipe/settings"
)

// Name is the architecture's name in network configurations and in
// pipeline.hcl (network = "unet").
const Name = "unet"

// Arch registers the U-Net with package nets: its settings, as a train
// stage exposes them in a unet { ... } block, and how to build and rebuild
// it for windows of states of shape [C, H, W] (C·States input and output
// channels). The time embedding is fixed at 16 frequencies and a hidden
// width of 256 (docs/method.md §2.3).
var Arch = &nets.Arch{
	Name: Name,
	Doc:  "U-Net with modulated residual blocks over windows of fields (docs/method.md §2.7), the Kolmogorov local score network",
	Settings: []settings.Spec{
		{Name: "widths", Default: []int64{64, 128, 256}, Min: settings.Bound(2), Doc: "channels per level, finest first; each further level halves the resolution"},
		{Name: "blocks", Default: int64(3), Min: settings.Bound(0), Doc: "modulated residual blocks per level and direction"},
		{Name: "embed", Default: int64(64), Min: settings.Bound(1), Doc: "size E of the time embedding"},
		{Name: "forcing_wavenumber", Default: int64(4), Min: settings.Bound(0), Doc: "wavenumber k of the constant input channel sin(k·y) along the last axis; 0 for none"},
	},
	New: func(w nets.Window, v settings.Values, rng *rand.Rand) (nets.Model, any, error) {
		cfg, err := configFor(w)
		if err != nil {
			return nil, nil, err
		}
		cfg.Widths, cfg.Blocks, cfg.Embed = v.Ints("widths"), v.Int("blocks"), v.Int("embed")
		cfg.ForcingWavenumber = v.Int("forcing_wavenumber")
		n, err := New(cfg, rng)
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
		want, err := configFor(w)
		if err != nil {
			return nil, err
		}
		if cfg.Channels != want.Channels || cfg.H != want.H || cfg.W != want.W {
			return nil, &nets.ConfigError{Arch: Name, Msg: fmt.Sprintf(
				"built for %d channels of %d×%d, but windows of %d states of shape %v have %d of %d×%d",
				cfg.Channels, cfg.H, cfg.W, w.States, w.State, want.Channels, want.H, want.W)}
		}
		return New(cfg, rand.New(rand.NewPCG(0, 0)))
	},
}

// configFor returns the shape part of a configuration for windows of w:
// states of shape [C, H, W] give C·States channels on H×W fields.
func configFor(w nets.Window) (Config, error) {
	if len(w.State) != 3 {
		return Config{}, &nets.ConfigError{Arch: Name, Msg: fmt.Sprintf(
			"states of shape %v: the U-Net needs fields of shape [channels, height, width]", w.State)}
	}
	return Config{Channels: w.States * w.State[0], H: w.State[1], W: w.State[2], EmbedHidden: 256}, nil
}
