//go:build unix

package slurm

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestStateNeverWritesThroughLinks: a link planted in place of slurm/ is
// replaced by a directory when the registry is saved, and a FIFO in place
// of an exit file or the registry is refused at once rather than read.
func TestStateNeverWritesThroughLinks(t *testing.T) {
	ws, out := t.TempDir(), t.TempDir()
	sentinel := filepath.Join(out, "sentinel.txt")
	if err := os.WriteFile(sentinel, []byte("a user's file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(out, dirOf(ws)); err != nil {
		t.Fatal(err)
	}
	r := &registry{Format: registryFormat, Stages: map[string]*entry{"sample.a": {Stage: "sample.a", Job: "14"}}}
	if err := r.save(ws); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 1 {
		t.Fatalf("the directory outside the workspace now holds %d entries", len(ents))
	}
	if fi, err := os.Lstat(dirOf(ws)); err != nil || !fi.IsDir() {
		t.Fatalf("slurm/ is not a directory of its own: %v", err)
	}
	if err := os.MkdirAll(exitDir(ws), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(exitDir(ws), "14"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(registryPath(ws))
	if err := syscall.Mkfifo(registryPath(ws), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, ok := readExit(ws, "14", -1); ok {
			t.Error("a FIFO was read as an exit file")
		}
		if _, err := loadRegistry(ws); err == nil {
			t.Error("a FIFO was read as the registry")
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("reading a FIFO in slurm/ blocked")
	}
}
