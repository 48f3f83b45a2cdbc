//go:build unix

package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"sdapipe/artifacts"
)

// loadWithin loads a pipeline file, failing the test if that takes more
// than a few seconds: these loads used to block forever or read until the
// kernel killed the process.
func loadWithin(t *testing.T, path string) hcl.Diagnostics {
	t.Helper()
	got := make(chan hcl.Diagnostics, 1)
	go func() {
		_, diags := LoadFile(testKinds, path, nil)
		got <- diags
	}()
	select {
	case d := <-got:
		return d
	case <-time.After(10 * time.Second):
		t.Fatalf("loading %s did not finish within 10 s", path)
		return nil
	}
}

// sparse makes a file of size bytes that occupies no disk.
func sparse(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Skipf("cannot make a sparse file here: %v", err)
	}
}

// TestFileInputsMustBeRegular: file("x.npy") where x.npy links to a
// device, is a FIFO, a directory, or larger than the in-memory limit
// is refused at load (so even by status), at once, with the reason;
// exit 2 comes from its being a diagnostic (TestSpecialFilesExitTwo).
func TestFileInputsMustBeRegular(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, path string)
		want string
	}{
		// /dev/null stands in for /dev/zero here, in-process: were the
		// check to regress, /dev/zero would exhaust memory.
		// TestSpecialFilesExitTwo tries /dev/zero in a child process.
		{"link to a device", func(t *testing.T, p string) { must(t, os.Symlink("/dev/null", p)) },
			"links to /dev/null, which is a character device, not a regular file"},
		{"fifo", func(t *testing.T, p string) { must(t, syscall.Mkfifo(p, 0o644)) }, "is a named pipe (FIFO)"},
		{"directory", func(t *testing.T, p string) { must(t, os.Mkdir(p, 0o755)) }, "is a directory"},
		{"larger than the limit", func(t *testing.T, p string) { sparse(t, p, 8<<28+1<<20+1) },
			"is 2.001 GiB (2148532225 bytes), more than the 2.001 GiB (2148532224 bytes) allowed for a file() input: it is read into memory whole"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.make(t, filepath.Join(dir, "x.npy"))
			cfg := filepath.Join(dir, "p.hcl")
			must(t, os.WriteFile(cfg, []byte(observeFileSource), 0o644))
			diags := loadWithin(t, cfg)
			if len(diags) != 1 || diags[0].Summary != "Cannot read file for observations" ||
				!strings.Contains(diags[0].Detail, tc.want) || diags[0].Subject == nil || diags[0].Subject.Start.Line != 6 {
				t.Errorf("diagnostics %v, want one at line 6 saying %q", diags, tc.want)
			}
		})
	}
}

// TestPipelineFileMustBeRegular: --config naming a device, a FIFO or a
// file over 4 MiB is refused at once with the reason.
func TestPipelineFileMustBeRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.hcl")
	must(t, syscall.Mkfifo(fifo, 0o644))
	big := filepath.Join(dir, "big.hcl")
	sparse(t, big, 4<<20+1)
	tests := []struct{ path, want string }{
		{"/dev/null", "/dev/null is a character device, not a regular file; sdapipe reads a pipeline file only from a regular file"},
		{fifo, "is a named pipe (FIFO), not a regular file"},
		{big, "more than the 4 MiB allowed for a pipeline file: a pipeline file holds settings, never data"},
	}
	for _, tc := range tests {
		diags := loadWithin(t, tc.path)
		if len(diags) != 1 || diags[0].Summary != "Cannot read the pipeline file" || !strings.Contains(diags[0].Detail, tc.want) {
			t.Errorf("%s: diagnostics %v, want one saying %q", tc.path, diags, tc.want)
		}
	}
}

// TestObservationsBeyondFloat32: float64 observations are stored as
// float32, so 1e300, finite in float64, used to become +Inf. It is now
// refused at load, naming the observation and value; the largest float32
// is accepted.
func TestObservationsBeyondFloat32(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string // "" to accept
	}{
		{1e300, "observation 1, value 2 is 1e+300, beyond float32's range"},
		{-3.5e38, "observation 1, value 2 is -3.5e+38, beyond float32's range"},
		{3.4028234e38, ""},
	} {
		dir := t.TempDir()
		y := make([]float64, 2*9)
		y[9+2] = tc.v
		b, err := artifacts.EncodeNPY(artifacts.Array{DType: artifacts.Float64, Shape: []int{2, 9}, Data: y})
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dir, "x.npy"), b, 0o644))
		must(t, os.WriteFile(filepath.Join(dir, "p.hcl"), []byte(observeFileSource), 0o644))
		_, diags := LoadFile(testKinds, filepath.Join(dir, "p.hcl"), nil)
		switch {
		case tc.want == "" && diags.HasErrors():
			t.Errorf("%g refused: %v", tc.v, diags)
		case tc.want != "" && (len(diags) != 1 || !strings.Contains(diags[0].Detail, tc.want)):
			t.Errorf("%g: diagnostics %v, want %q", tc.v, diags, tc.want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
