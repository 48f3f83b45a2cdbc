package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var errorMarker = regexp.MustCompile(`#\s*ERROR:\s*(.+)$`)

// TestInvalidFixtures loads every file under testdata/invalid and checks
// that exactly the diagnostics marked "# ERROR: <summary>" are reported,
// each on its marked line, as Terraform's configs tests do.
func TestInvalidFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.hcl")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for i, line := range strings.Split(string(src), "\n") {
				if m := errorMarker.FindStringSubmatch(line); m != nil {
					want = append(want, fmt.Sprintf("%d: %s", i+1, strings.TrimSpace(m[1])))
				}
			}
			cfg, diags := LoadFile(testKinds, f, nil)
			if cfg != nil {
				t.Errorf("config loaded despite errors")
			}
			var got []string
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("diagnostic without a source range: %s: %s", d.Summary, d.Detail)
					continue
				}
				if d.Subject.Filename != f {
					t.Errorf("diagnostic names file %q, want %q", d.Subject.Filename, f)
				}
				if d.Detail == "" {
					t.Errorf("diagnostic %q has no detail sentence", d.Summary)
				}
				got = append(got, fmt.Sprintf("%d: %s", d.Subject.Start.Line, d.Summary))
			}
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("diagnostics:\n%s\nwant:\n%s\n(all: %v)", strings.Join(got, "\n"), strings.Join(want, "\n"), diags)
			}
		})
	}
}

func TestValidFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.hcl")
	for _, f := range files {
		cfg, diags := LoadFile(testKinds, f, nil)
		if diags.HasErrors() {
			t.Errorf("%s: %v", f, diags)
			continue
		}
		if len(cfg.Stages) == 0 {
			t.Errorf("%s: no stages", f)
		}
	}
}

func TestCycleNamesEveryStage(t *testing.T) {
	_, diags := LoadFile(testKinds, "testdata/invalid/cycle.hcl", nil)
	if len(diags) != 1 {
		t.Fatalf("want one cycle diagnostic, got %v", diags)
	}
	d := diags[0].Detail
	if !strings.Contains(d, "tmap.a -> tmap.c -> tmap.b -> tmap.a") {
		t.Errorf("cycle not named in canonical rotation: %s", d)
	}
	for _, loc := range []string{"cycle.hcl:3,", "cycle.hcl:7,", "cycle.hcl:10,"} {
		if !strings.Contains(d, loc) {
			t.Errorf("cycle detail does not point at %s: %s", loc, d)
		}
	}
}

func TestDefaultsAndOrder(t *testing.T) {
	cfg, diags := LoadFile(testKinds, "testdata/valid/graph.hcl", nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if cfg.Seed != 7 {
		t.Errorf("seed %d, want 7", cfg.Seed)
	}
	var order []string
	for _, s := range cfg.Order() {
		order = append(order, s.Addr)
	}
	if got, want := strings.Join(order, " "), "tsrc.root tmap.a tmap.b tmap.join"; got != want {
		t.Errorf("order %q, want %q", got, want)
	}
	b := cfg.Stage("tmap.b")
	if got := b.Params.Float("scale"); got != 2 {
		t.Errorf("default scale %v, want 2", got)
	}
	if got := b.Params.Block("opts").Ints("times"); fmt.Sprint(got) != "[0 4]" {
		t.Errorf("opts.times %v", got)
	}
	if cfg.Stage("tmap.a").Params.Block("opts") != nil {
		t.Errorf("absent block decoded as present")
	}
	if got := cfg.Downstream("tmap.a"); fmt.Sprint(got) != "[tmap.join]" {
		t.Errorf("downstream of tmap.a: %v", got)
	}
	if got := cfg.Closure([]string{"tmap.a"}); len(got) != 2 {
		t.Errorf("closure of tmap.a has %d stages, want 2", len(got))
	}
}

func TestOverrides(t *testing.T) {
	tests := []struct {
		name string
		set  string
		ok   bool
		want string // parameter text after the override, stage.param
	}{
		{"float", "tmap.a.scale=0.5", true, "0.5"},
		{"int", "tsrc.root.n=3", true, "3"},
		{"bare string", "tsrc.root.label=hello", true, `"hello"`},
		{"quoted string", `tsrc.root.label="a b"`, true, `"a b"`},
		{"block", "tmap.b.opts.every=5", true, "5"},
		{"list", "tmap.b.opts.times=[1,2,3]", true, "[1, 2, 3]"},
		{"ref", "tmap.join.other=tsrc.root", true, "tsrc.root"},
		{"no equals", "tmap.a.scale", false, ""},
		{"unknown stage", "tmap.zz.scale=1", false, ""},
		{"unknown param", "tmap.a.colour=1", false, ""},
		{"out of range", "tsrc.root.n=0", false, ""},
		{"wrong type", "tsrc.root.n=abc", false, ""},
		{"absent block", "tmap.a.opts.every=2", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, diags := LoadFile(testKinds, "testdata/valid/graph.hcl", []string{tc.set})
			if !tc.ok {
				if !diags.HasErrors() {
					t.Fatalf("--set %s accepted", tc.set)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			key, _, _ := strings.Cut(tc.set, "=")
			parts := strings.Split(key, ".")
			p := cfg.Stage(parts[0] + "." + parts[1]).Params
			for _, b := range parts[2 : len(parts)-1] {
				p = p.Block(b)
			}
			if got := p.Values[parts[len(parts)-1]].Text(); got != tc.want {
				t.Errorf("after --set %s: %s, want %s", tc.set, got, tc.want)
			}
		})
	}
}
