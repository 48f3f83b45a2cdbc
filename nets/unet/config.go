package unet

import (
	"fmt"

	"sdapipe/nets"
)

// Config sizes the U-Net of docs/method.md §2.7. The JSON form is what a
// train stage stores in network.json.
type Config struct {
	// Widths are the channels of the levels, finest first, e.g. [96, 192,
	// 384] (the paper) or [64, 128, 256]; each level but the first halves
	// the resolution.
	Widths []int `json:"widths"`
	// Blocks is the number of modulated residual blocks per level and
	// direction (3): 2·Blocks per level in all.
	Blocks int `json:"blocks"`
	// Embed is the size E of the time embedding (64), EmbedHidden the
	// hidden width of its MLP (256, docs/method.md §2.3).
	Embed       int `json:"embed"`
	EmbedHidden int `json:"embed_hidden"`
	// Channels is the number of state channels of a window, input and
	// output: 5 states × 2 velocity components = 10, state-major.
	Channels int `json:"channels"`
	// ForcingWavenumber k appends the constant context channel sin(k·y_j),
	// y_j = 2π(j + ½)/W along the last axis, to the input (k = 4 for the
	// Kolmogorov flow); 0 appends none.
	ForcingWavenumber int `json:"forcing_wavenumber"`
	// H and W are the height and width of the fields (64 × 64).
	H int `json:"h"`
	W int `json:"w"`
}

// freqs is the number of time frequencies π·j, j = 1..16, of the
// embedding (docs/method.md §2.3).
const freqs = 16

// KolmogorovConfig returns the configuration of docs/method.md §2.7 for
// windows of window states of 2 velocity channels on h×w fields, at the
// given widths: 3 blocks per level, E = 64, the forcing channel of
// wavenumber 4.
func KolmogorovConfig(window, h, w int, widths ...int) Config {
	return Config{Widths: widths, Blocks: 3, Embed: 64, EmbedHidden: 256,
		Channels: 2 * window, ForcingWavenumber: 4, H: h, W: w}
}

// Validate reports a configuration the network cannot be built from.
func (c Config) Validate() error {
	bad := func(format string, a ...any) error {
		return &nets.ConfigError{Arch: Name, Msg: fmt.Sprintf(format, a...)}
	}
	if len(c.Widths) == 0 {
		return bad("widths is empty; give the channels of each level, e.g. [64, 128, 256]")
	}
	for _, w := range c.Widths {
		if w < 2 {
			return bad("widths %v: every level needs at least 2 channels (the blocks normalise over them)", c.Widths)
		}
	}
	div := 1 << (len(c.Widths) - 1)
	switch {
	case c.Blocks < 0:
		return bad("blocks = %d, need 0 or more", c.Blocks)
	case c.Embed < 1 || c.EmbedHidden < 1:
		return bad("embed = %d, embed_hidden = %d: both must be positive", c.Embed, c.EmbedHidden)
	case c.Channels < 1:
		return bad("channels = %d, need at least 1", c.Channels)
	case c.ForcingWavenumber < 0:
		return bad("forcing_wavenumber = %d, need 0 (no forcing channel) or more", c.ForcingWavenumber)
	case c.H < div || c.W < div || c.H%div != 0 || c.W%div != 0:
		return bad("%d×%d fields cannot be halved %d times: H and W must be multiples of %d", c.H, c.W, len(c.Widths)-1, div)
	}
	return nil
}

// inChannels is the number of input channels: the states' and the
// forcing channel.
func (c Config) inChannels() int {
	if c.ForcingWavenumber > 0 {
		return c.Channels + 1
	}
	return c.Channels
}
