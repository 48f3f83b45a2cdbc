package resmlp

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sdapipe/nets"
	"sdapipe/nn"
	"strings"
	"testing"
)

func TestParamCounts(t *testing.T) {
	t.Parallel()
	// docs/method.md §2.5, current embedding: hand counts per window half-width k.
	cases := []struct {
		name           string
		k, width, want int
	}{
		{"k1W128", 1, 128, 188509},
		{"k2W128", 2, 128, 190351},
		{"k3W256", 3, 256, 694737},
		{"k4W256", 4, 256, 698403},
		{"k2W256 default", 2, 256, 691215},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n, err := NewNet(LocalConfig(3, 2*c.k+1, c.width), rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if got := nn.NumParams(n.Params()); got != c.want {
				t.Fatalf("%d parameters, want %d", got, c.want)
			}
		})
	}
}

func TestParamNamesAndShapes(t *testing.T) {
	t.Parallel()
	cfg := Config{Features: 6, Width: 8, Depth: 2, Embed: 4, EmbedHidden: 5, Freqs: 3}
	n, err := NewNet(cfg, newTestRand())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range n.Params() {
		got = append(got, fmt.Sprintf("%s%v", p.Name, p.Shape))
	}
	want := "embed.l1.weight[5 6] embed.l1.bias[5] embed.l2.weight[4 5] embed.l2.bias[4] " +
		"input.weight[8 10] input.bias[8] " +
		"blocks.0.l1.weight[8 8] blocks.0.l1.bias[8] blocks.0.l2.weight[8 8] blocks.0.l2.bias[8] " +
		"blocks.1.l1.weight[8 8] blocks.1.l1.bias[8] blocks.1.l2.weight[8 8] blocks.1.l2.bias[8] " +
		"output.weight[6 8] output.bias[6] " +
		"out_block.l1.weight[6 6] out_block.l1.bias[6] out_block.l2.weight[6 6] out_block.l2.bias[6]"
	if s := strings.Join(got, " "); s != want {
		t.Fatalf("parameters\n got %s\nwant %s", s, want)
	}
}

func TestSetParamErrors(t *testing.T) {
	t.Parallel()
	n, _ := NewNet(Config{Features: 2, Width: 2, Depth: 0, Embed: 1, EmbedHidden: 1, Freqs: 1}, newTestRand())
	if err := n.SetParam("nope", nil); !errors.Is(err, nn.ErrUnknownParam) {
		t.Errorf("unknown name: err = %v, want nn.ErrUnknownParam", err)
	}
	var se *nn.ShapeError
	if err := n.SetParam("input.weight", make([]float32, 5)); !errors.As(err, &se) || se.Want != 6 {
		t.Errorf("wrong length: err = %v, want *nn.ShapeError wanting 6", err)
	}
	if err := n.SetParam("input.bias", []float32{1, 2}); err != nil {
		t.Errorf("valid SetParam: %v", err)
	}
	if p, _ := n.Param("input.bias"); p.Data[1] != 2 {
		t.Errorf("SetParam did not copy the data")
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	bad := []Config{
		{Features: 1, Width: 4, Depth: 1, Embed: 1, EmbedHidden: 1, Freqs: 1},
		{Features: 4, Width: 1, Depth: 1, Embed: 1, EmbedHidden: 1, Freqs: 1},
		{Features: 4, Width: 4, Depth: -1, Embed: 1, EmbedHidden: 1, Freqs: 1},
		{Features: 4, Width: 4, Depth: 1, Embed: 0, EmbedHidden: 1, Freqs: 1},
	}
	for _, c := range bad {
		var ce *nets.ConfigError
		if _, err := NewNet(c, newTestRand()); !errors.As(err, &ce) {
			t.Errorf("%+v: err = %v, want *nets.ConfigError", c, err)
		}
	}
}
