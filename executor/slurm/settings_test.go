package slurm

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"sdapipe/pipeline"
	"sdapipe/stages"
)

var errorMarker = regexp.MustCompile(`#\s*ERROR:\s*(.+)$`)

func loadFixture(t *testing.T, path string) *pipeline.Config {
	t.Helper()
	cfg, diags := pipeline.LoadFile(stages.Default(), path, nil)
	if diags.HasErrors() {
		t.Fatalf("%s: %v", path, diags)
	}
	return cfg
}

// TestInvalidSettings checks that exactly the diagnostics marked
// "# ERROR: <summary>" are reported, each on its line, with a detail.
func TestInvalidSettings(t *testing.T) {
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
			_, diags := Decode(loadFixture(t, f))
			var got []string
			for _, d := range diags {
				if d.Subject == nil || d.Detail == "" {
					t.Errorf("diagnostic %q lacks a range or a detail", d.Summary)
					continue
				}
				got = append(got, fmt.Sprintf("%d: %s", d.Subject.Start.Line, d.Summary))
			}
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestSettingsLayers(t *testing.T) {
	cfg := loadFixture(t, "testdata/valid/layers.hcl")
	s, diags := Decode(cfg)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if s.Poll != 2*time.Second {
		t.Errorf("poll %v, want 2s", s.Poll)
	}
	tests := []struct {
		addr string
		want Resources
	}{
		// The file's top level over the defaults; simulate does not split, so no array.
		{"simulate.lorenz", Resources{Partition: "cpu", Account: "sda", CPUs: 1, Memory: "2G", Flags: []string{"--qos=normal"}, Array: 1}},
		// The train kind over the top level: its flags replace the top level's.
		{"train.k2", Resources{Partition: "cpu", Account: "sda", CPUs: 8, Memory: "2G", Time: "1-00:00:00", GPUs: 1,
			Flags: []string{"--constraint=a100"}, Array: 1}},
		// The stage over its kind.
		{"train.k4", Resources{Partition: "long", Account: "sda", CPUs: 8, Memory: "2G", Time: "2-00:00:00", GPUs: 1,
			Flags: []string{"--constraint=a100"}, Array: 1}},
		{"sample.a", Resources{Partition: "cpu", Account: "sda", CPUs: 2, Memory: "2G", Flags: []string{"--qos=normal"}, Array: 4}},
		{"sample.b", Resources{Partition: "cpu", Account: "sda", CPUs: 2, Memory: "2G", Flags: []string{"--qos=normal"}, Array: 1}},
	}
	for _, tc := range tests {
		got := s.For(cfg.Stage(tc.addr))
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %+v\nwant %+v", tc.addr, got, tc.want)
		}
	}
	wantArgs := []string{"--ntasks=1", "--cpus-per-task=8", "--partition=long", "--account=sda", "--mem=2G",
		"--time=2-00:00:00", "--gpus=1", "--constraint=a100"}
	if got := s.For(cfg.Stage("train.k4")).Args(); !slices.Equal(got, wantArgs) {
		t.Errorf("sbatch options of train.k4:\n%q\nwant\n%q", got, wantArgs)
	}
}

func TestDefaultsWithoutBlock(t *testing.T) {
	cfg, diags := pipeline.Load(stages.Default(), "t.hcl", t.TempDir(), []byte(`simulate "x" {}`), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	s, diags := Decode(cfg)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got := s.For(cfg.Stage("simulate.x"))
	if want := (Resources{CPUs: 1, Array: 1}); fmt.Sprint(got) != fmt.Sprint(want) || s.Poll != DefaultPoll {
		t.Errorf("defaults: %+v poll %v", got, s.Poll)
	}
	if args := got.Args(); !slices.Equal(args, []string{"--ntasks=1", "--cpus-per-task=1"}) {
		t.Errorf("default sbatch options: %q", args)
	}
}

// TestSettingsStayOutOfKeys: how a stage runs is not what it computes, so
// the executor block changes no cache key.
func TestSettingsStayOutOfKeys(t *testing.T) {
	src, err := os.ReadFile("testdata/valid/layers.hcl")
	if err != nil {
		t.Fatal(err)
	}
	without := regexp.MustCompile(`(?s)executor "slurm" \{.*\n\}\n`).ReplaceAll(src, nil)
	if strings.Contains(string(without), `executor "slurm"`) {
		t.Fatal("could not cut the executor block")
	}
	dir := t.TempDir()
	a, d1 := pipeline.Load(stages.Default(), "a.hcl", dir, src, nil)
	b, d2 := pipeline.Load(stages.Default(), "b.hcl", dir, without, nil)
	if d1.HasErrors() || d2.HasErrors() {
		t.Fatal(d1, d2)
	}
	ws, err := pipeline.OpenWorkspace(filepath.Join(dir, "ws"))
	if err != nil {
		t.Fatal(err)
	}
	da, err1 := a.Status(ws, nil, nil)
	db, err2 := b.Status(ws, nil, nil)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	for i := range da {
		if da[i].Key != db[i].Key || fmt.Sprint(da[i].Fields) != fmt.Sprint(db[i].Fields) {
			t.Errorf("%s: key changed with the executor block", da[i].Addr)
		}
		if pa, pb := a.PlanKey(da[i].Addr), b.PlanKey(da[i].Addr); pa != pb {
			t.Errorf("%s: plan key changed with the executor block", da[i].Addr)
		}
	}
}
