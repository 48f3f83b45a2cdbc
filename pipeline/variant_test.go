package pipeline

import (
	"strings"
	"testing"

	"sdapipe/artifacts"
)

// TestVariantBlocks: the selected variant's block is always there (its
// defaults when the file leaves it out, so they enter the key), a block of
// another variant is an error at the block, a selected block with a
// required setting must be written, and --set may start a variant block.
func TestVariantBlocks(t *testing.T) {
	tests := []struct {
		name string
		src  string
		sets []string
		want string // substring of the first error; "" for success
		mode string
		a, b bool // blocks present after decoding
	}{
		{name: "default variant filled in", src: `tvar "v" {}`, mode: "a", a: true},
		{name: "written block", src: `tvar "v" {
  a {
    x = 3
  }
}`, mode: "a", a: true},
		{name: "block of another variant", src: `tvar "v" {
  b {
    z = 1
  }
}`, want: `The b block holds settings for mode = "b", but this stage has mode = "a"`},
		{name: "required setting", src: `tvar "v" {
  mode = "b"
}`, want: `With mode = "b" a tvar stage needs a b block: b needs z.`},
		{name: "set starts a variant block", src: `tvar "v" {}`, sets: []string{"tvar.v.mode=b", "tvar.v.b.z=4"}, mode: "b", b: true},
		{name: "set switches away from a written block", src: `tvar "v" {
  a {
    x = 3
  }
}`, sets: []string{"tvar.v.mode=b", "tvar.v.b.z=4"}, want: "The a block holds settings"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, diags := Load(testKinds, "v.hcl", t.TempDir(), []byte(tc.src), tc.sets)
			if tc.want != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tc.want) {
					t.Fatalf("diagnostics %v, want one containing %q", diags, tc.want)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			p := cfg.Stage("tvar.v").Params
			if p.String("mode") != tc.mode || (p.Block("a") != nil) != tc.a || (p.Block("b") != nil) != tc.b {
				t.Fatalf("mode %s, blocks %v", p.String("mode"), p.Blocks)
			}
			if tc.a && p.Block("a").Int("x") < 1 {
				t.Fatalf("a.x = %d", p.Block("a").Int("x"))
			}
			if tc.b && (p.Block("b").Float("y") != 2 || p.Block("b").Int("z") != 4) {
				t.Fatalf("b = %v", p.Block("b").Values)
			}
		})
	}
}

// TestVariantDefaultsEnterTheKey: a left-out variant block's defaults are
// hashed like written ones, so the key of `tvar "v" {}` equals the key of
// the same stage with the defaults written out, and differs from another
// value.
func TestVariantDefaultsEnterTheKey(t *testing.T) {
	key := func(src string) string {
		cfg, diags := Load(testKinds, "v.hcl", t.TempDir(), []byte(src), nil)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		k, fields := cfg.key(cfg.Stage("tvar.v"), nil)
		var names []string
		for _, f := range fields {
			names = append(names, f.Label)
		}
		if !strings.Contains(strings.Join(names, " "), "param a.x") {
			t.Fatalf("key fields %v lack the variant block's setting", names)
		}
		return k.String()
	}
	implicit, written := key(`tvar "v" {}`), key("tvar \"v\" {\n  a {\n    x = 1\n  }\n}")
	other := key("tvar \"v\" {\n  a {\n    x = 2\n  }\n}")
	if implicit != written || implicit == other {
		t.Fatalf("keys: implicit %s, written %s, other %s", implicit, written, other)
	}
	_ = artifacts.Digest{}
}
