package pipeline

import (
	"fmt"
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

// TestListBlocks: list blocks keep file order, which enters the key;
// unknown labels and missing settings are diagnosed at their block; --set
// reaches an item by index.
func TestListBlocks(t *testing.T) {
	const src = `tlist "l" {
  op "scale" {}
  op "shift" {
    by = 0.5
  }
  op "scale" {
    by = 3
  }
}`
	load := func(src string, sets ...string) (*Config, error) {
		cfg, diags := Load(testKinds, "l.hcl", t.TempDir(), []byte(src), sets)
		if diags.HasErrors() {
			return nil, diags
		}
		return cfg, nil
	}
	cfg, err := load(src)
	if err != nil {
		t.Fatal(err)
	}
	items := cfg.Stage("tlist.l").Params.List("op")
	var got []string
	for _, it := range items {
		got = append(got, fmt.Sprintf("%s %g", it.Label, it.Params.Float("by")))
	}
	if strings.Join(got, ", ") != "scale 2, shift 0.5, scale 3" {
		t.Fatalf("items %v", got)
	}
	if items[0].Params.Explicit["by"] || !items[1].Params.Explicit["by"] {
		t.Errorf("explicit marks %v, %v", items[0].Params.Explicit, items[1].Params.Explicit)
	}
	swapped, err := load(`tlist "l" {
  op "shift" {
    by = 0.5
  }
  op "scale" {}
  op "scale" {
    by = 3
  }
}`)
	if err != nil {
		t.Fatal(err)
	}
	k1, _ := cfg.key(cfg.Stage("tlist.l"), nil)
	k2, _ := swapped.key(swapped.Stage("tlist.l"), nil)
	if k1 == k2 {
		t.Error("reordering the steps left the key unchanged")
	}
	set, err := load(src, "tlist.l.op.2.by=4", "tlist.l.op[0].by=5")
	if err != nil {
		t.Fatal(err)
	}
	if it := set.Stage("tlist.l").Params.List("op"); it[2].Params.Float("by") != 4 || it[0].Params.Float("by") != 5 {
		t.Errorf("--set gave %v and %v", it[0].Params.Values, it[2].Params.Values)
	}
	for _, tc := range []struct {
		src  string
		sets []string
		want string
	}{
		{`tlist "l" {
  op "rotate" {}
}`, nil, `Each op block of a tlist stage is one of "scale", "shift".`},
		{`tlist "l" {
  op "shift" {}
}`, nil, `The argument "by" is required`},
		{src, []string{"tlist.l.op.3.by=1"}, "stage tlist.l has 3 op blocks; op[3] is not one of them."},
		{src, []string{"tlist.l.op.1.size=1"}, `the op "shift" block has no setting "size".`},
	} {
		if _, err := load(tc.src, tc.sets...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
	}
}
