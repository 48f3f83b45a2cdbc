package unet

import (
	"math/rand/v2"
	"strings"
	"testing"

	"sdapipe/nets"
)

func TestParamCounts(t *testing.T) {
	t.Parallel()
	// The counts of the PyTorch module (docs/method.md §2.7): 11 input
	// channels (10 + forcing), 10 outputs, 3 blocks, E = 64.
	for _, c := range []struct {
		widths []int
		want   int
	}{
		{[]int{96, 192, 384}, 22_874_922},
		{[]int{64, 128, 256}, 10_244_746},
	} {
		n, err := New(KolmogorovConfig(5, 64, 64, c.widths...), rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if got := nets.NumParams(n); got != c.want {
			t.Errorf("widths %v: %d parameters, want %d", c.widths, got, c.want)
		}
	}
}

func TestParamNames(t *testing.T) {
	t.Parallel()
	n, err := New(KolmogorovConfig(5, 16, 16, 8, 16, 32), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	names := nets.ParamNames(n)
	// The state_dict order of the PyTorch module: embed, heads, down, up,
	// tails, final; a block's proj, then r.1, then r.3.
	want := []string{"embed.net.0.weight", "embed.net.0.bias", "embed.net.2.weight", "embed.net.2.bias",
		"heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias", "heads.2.weight", "heads.2.bias",
		"down.0.0.proj.weight", "down.0.0.proj.bias", "down.0.0.r.1.weight", "down.0.0.r.1.bias", "down.0.0.r.3.weight", "down.0.0.r.3.bias"}
	if got := strings.Join(names[:len(want)], " "); got != strings.Join(want, " ") {
		t.Errorf("names begin %s\nwant %s", got, strings.Join(want, " "))
	}
	tail := []string{"up.2.2.r.3.bias", "tails.0.1.weight", "tails.0.1.bias", "tails.1.1.weight", "tails.1.1.bias", "final.weight", "final.bias"}
	if got := strings.Join(names[len(names)-len(tail):], " "); got != strings.Join(tail, " ") {
		t.Errorf("names end %s\nwant %s", got, strings.Join(tail, " "))
	}
	if len(names) != 4+6+2*3*3*6+4+2 {
		t.Errorf("%d parameters, want %d", len(names), 4+6+2*3*3*6+4+2)
	}
}
