package unet

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"sdapipe/nets"
	"sdapipe/settings"
)

func TestArchNewAndLoad(t *testing.T) {
	t.Parallel()
	w := nets.Window{States: 5, State: []int{2, 16, 8}}
	v := settings.Values{"widths": []int64{4, 8}, "blocks": int64(1), "embed": int64(8), "forcing_wavenumber": int64(4)}
	m, cfg, err := Arch.New(w, v, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.EventShape(); !slices.Equal(got, []int{10, 16, 8}) {
		t.Fatalf("event shape %v, want [10 16 8]", got)
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Arch.Load(w, raw)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(nets.ParamNames(back), nets.ParamNames(m)) || nets.NumParams(back) != nets.NumParams(m) {
		t.Fatal("Load built another network than New")
	}
	if got := back.(*Net).Config(); got.EmbedHidden != 256 || got.ForcingWavenumber != 4 || !slices.Equal(got.Widths, []int{4, 8}) {
		t.Fatalf("loaded configuration %+v", got)
	}
	// Another window shape, and states that are not fields, are refused.
	var ce *nets.ConfigError
	if _, err := Arch.Load(nets.Window{States: 5, State: []int{2, 32, 8}}, raw); !errors.As(err, &ce) {
		t.Errorf("Load for 32×8 fields: %v, want a ConfigError", err)
	}
	if _, _, err := Arch.New(nets.Window{States: 5, State: []int{3}}, v, rand.New(rand.NewPCG(1, 2))); !errors.As(err, &ce) {
		t.Errorf("New for states of shape [3]: %v, want a ConfigError", err)
	}
	// Three levels halve 6×8 fields twice: 6 → 3 → 1.5 is not a field.
	v["widths"] = []int64{4, 8, 16}
	if _, _, err := Arch.New(nets.Window{States: 5, State: []int{2, 6, 8}}, v, rand.New(rand.NewPCG(1, 2))); !errors.As(err, &ce) {
		t.Errorf("New for 6×8 fields at three levels: %v, want a ConfigError", err)
	}
}
