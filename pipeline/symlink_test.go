//go:build unix

package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"sdapipe/artifacts"
)

// outside makes a directory outside the test's workspace with one
// sentinel file, and returns a check that the directory still holds
// exactly that file with its contents: nothing was written or removed
// through a link pointing there.
func outside(t *testing.T) (dir, sentinel string, intact func() error) {
	t.Helper()
	dir = t.TempDir()
	sentinel = filepath.Join(dir, "sentinel.txt")
	if err := os.WriteFile(sentinel, []byte("a user's file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, sentinel, func() error {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		if len(names) != 1 || names[0] != "sentinel.txt" {
			return errors.New("the directory outside the workspace now holds " + strings.Join(names, ", "))
		}
		if b, err := os.ReadFile(sentinel); err != nil || string(b) != "a user's file\n" {
			return errors.New("the sentinel outside the workspace was changed to " + string(b))
		}
		return nil
	}
}

// TestSymlinkedOutDirIsReplaced: out/<stage> made a link to a user's
// directory; a cached run used to write its links there and delete every
// other file. Now the link is replaced by a directory of the workspace and
// the user's directory is untouched.
func TestSymlinkedOutDirIsReplaced(t *testing.T) {
	cfg, ws := setup(t, "")
	runStages(t, cfg, ws, 1)
	dir, _, intact := outside(t)
	out := filepath.Join(ws.Dir, "out", "tmap.a")
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, out); err != nil {
		t.Fatal(err)
	}
	if o := outcomes(runStages(t, cfg, ws, 1)); strings.Contains(o, "ran") {
		t.Fatalf("a link in out/ made a stage rerun: %s", o)
	}
	if err := intact(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(out); err != nil || !fi.IsDir() {
		t.Fatalf("out/tmap.a is not a directory of its own: %v", err)
	}
	rec, _ := ws.Latest("tmap.a")
	o, _ := rec.Output("out")
	if b, err := os.ReadFile(ws.OutPath("tmap.a", o)); err != nil || artifacts.DigestOf(b) != o.Digest {
		t.Errorf("the stable path does not hold the output: %v", err)
	}
}

// TestSymlinkedStableFilesAreReplaced: links planted at out/<stage>/
// record.json and at an output's stable path are replaced by the
// workspace's own; their targets are neither written nor removed.
func TestSymlinkedStableFilesAreReplaced(t *testing.T) {
	cfg, ws := setup(t, "")
	runStages(t, cfg, ws, 1)
	_, sentinel, intact := outside(t)
	rec, _ := ws.Latest("tmap.b")
	o, _ := rec.Output("out")
	for _, p := range []string{ws.latestPath("tmap.b"), ws.OutPath("tmap.b", o)} {
		os.Remove(p)
		if err := os.Symlink(sentinel, p); err != nil {
			t.Fatal(err)
		}
	}
	runStages(t, cfg, ws, 1)
	if err := intact(); err != nil {
		t.Fatal(err)
	}
	if got, err := ws.Latest("tmap.b"); err != nil || got == nil || got.Key != rec.Key {
		t.Errorf("record.json was not republished: %v", err)
	}
	if target, _ := os.Readlink(ws.OutPath("tmap.b", o)); !strings.Contains(target, o.Digest.String()[2:]) {
		t.Errorf("the stable path links to %s, not the object", target)
	}
}

// TestSymlinkedLockIsReplaced: a link at the workspace's lock used to have
// its target truncated and overwritten with the holder line. Now the link
// is replaced by a lock file and the target is untouched; the lock still
// excludes a second holder.
func TestSymlinkedLockIsReplaced(t *testing.T) {
	ws := t.TempDir()
	_, sentinel, intact := outside(t)
	if err := os.Symlink(sentinel, filepath.Join(ws, "lock")); err != nil {
		t.Fatal(err)
	}
	l, err := LockWorkspace(context.Background(), ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if err := intact(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(filepath.Join(ws, "lock"))
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("the lock is not a regular file: %v %v", fi, err)
	}
	// The lock file that replaced the link excludes a second holder.
	f, err := os.Open(filepath.Join(ws, "lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if ok, err := tryLock(f); ok || err != nil {
		t.Fatalf("a second descriptor got the lock (%v)", err)
	}
}

// TestSpecialLockFileIsReplaced: a FIFO at the lock's path is replaced by
// a lock file rather than opened (which could block).
func TestSpecialLockFileIsReplaced(t *testing.T) {
	ws := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(ws, "lock"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := LockWorkspace(context.Background(), ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Unlock()
	if fi, err := os.Lstat(filepath.Join(ws, "lock")); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("the lock is not a regular file: %v %v", fi, err)
	}
}

// TestLinkedWorkspaceDirsAreRefused: a link in place of runs, out or
// objects is a WorkspaceError, for writing and for looking; the workspace
// itself may be a link.
func TestLinkedWorkspaceDirsAreRefused(t *testing.T) {
	for _, sub := range workspaceDirs {
		t.Run(sub, func(t *testing.T) {
			ws := t.TempDir()
			dir, _, intact := outside(t)
			if err := os.Symlink(dir, filepath.Join(ws, sub)); err != nil {
				t.Fatal(err)
			}
			var we *WorkspaceError
			if _, err := OpenWorkspace(ws); !errors.As(err, &we) || !strings.Contains(err.Error(), sub+" is a symbolic link") {
				t.Errorf("OpenWorkspace = %v, want a WorkspaceError naming %s", err, sub)
			}
			if _, err := InspectWorkspace(ws); !errors.As(err, &we) {
				t.Errorf("InspectWorkspace = %v, want a WorkspaceError", err)
			}
			if err := intact(); err != nil {
				t.Fatal(err)
			}
		})
	}
	real := t.TempDir()
	link := filepath.Join(t.TempDir(), "ws")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	cfg, ws := setup(t, link)
	runStages(t, cfg, ws, 1)
	if _, err := os.Stat(filepath.Join(real, "runs")); err != nil {
		t.Errorf("a linked workspace was not used: %v", err)
	}
}

// TestWorkspaceThatIsAFile: a file at the workspace's path is a
// WorkspaceError (exit 2 in the command), for every way of opening it.
func TestWorkspaceThatIsAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ws")
	if err := os.WriteFile(path, []byte("not a workspace"), 0o644); err != nil {
		t.Fatal(err)
	}
	var we *WorkspaceError
	if _, err := OpenWorkspace(path); !errors.As(err, &we) {
		t.Errorf("OpenWorkspace = %v, want a WorkspaceError", err)
	}
	if _, err := InspectWorkspace(path); !errors.As(err, &we) {
		t.Errorf("InspectWorkspace = %v, want a WorkspaceError", err)
	}
	if _, err := LockWorkspace(context.Background(), path, nil); !errors.As(err, &we) {
		t.Errorf("LockWorkspace = %v, want a WorkspaceError", err)
	}
}

// TestInspectCreatesNothing: looking at a workspace that does not exist
// (status on a new path) creates nothing and reads as empty.
func TestInspectCreatesNothing(t *testing.T) {
	cfg, _ := setup(t, "")
	path := filepath.Join(t.TempDir(), "new")
	ws, err := InspectWorkspace(path)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := cfg.Status(ws, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if !d.Run {
			t.Errorf("%s is cached in an empty workspace", d.Addr)
		}
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("looking created %s: %v", path, err)
	}
}

// TestMaintenanceRemovesNothingThroughLinks: links planted in runs/, in
// the store's root and in place of quarantine/ lead outside the
// workspace; gc and verify --repair remove and move only the links.
func TestMaintenanceRemovesNothingThroughLinks(t *testing.T) {
	cfg, ws := setup(t, "")
	runStages(t, cfg, ws, 1)
	dir, sentinel, intact := outside(t)
	for _, p := range []string{
		filepath.Join(ws.Dir, "runs", ".x.json.tmp-1"),
		filepath.Join(ws.Dir, "runs", "stray"),
		filepath.Join(ws.Dir, "objects", ".tmp-1"),
	} {
		if err := os.Symlink(sentinel, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(dir, ws.quarantineDir()); err != nil {
		t.Fatal(err)
	}
	// A corrupt object, so that verify --repair moves something.
	rec, _ := ws.Latest("tsrc.root")
	o, _ := rec.Output("out")
	flipLastByte(t, ws.Store.Path(o.Digest))
	rep, err := ws.Verify(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Corrupt) != 1 || len(rep.Moved) == 0 {
		t.Fatalf("verify --repair: %+v", rep)
	}
	if _, err := ws.GC(true, false); err != nil {
		t.Fatal(err)
	}
	if err := intact(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(ws.quarantineDir()); err == nil && !fi.IsDir() {
		t.Errorf("quarantine is still a link")
	}
}

// flipLastByte corrupts a stored object in place, keeping its size.
func flipLastByte(t *testing.T, path string) {
	t.Helper()
	os.Chmod(path, 0o644)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 0xff
	if err := os.WriteFile(path, b, 0o444); err != nil {
		t.Fatal(err)
	}
}

// TestJobPartsNeverWriteThroughLinks: a link planted in place of parts/
// is replaced by a directory when a batch job writes its part; the
// gather step still assembles the stage.
func TestJobPartsNeverWriteThroughLinks(t *testing.T) {
	cfg, ws := loadJobStudy(t)
	dir, _, intact := outside(t)
	if err := os.Symlink(dir, filepath.Join(ws.Dir, "parts")); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"tsrc.root", "tmap.a"} {
		runJob(t, cfg, ws, Job{Addr: addr})
	}
	for i := range 2 {
		runJob(t, cfg, ws, Job{Addr: "tsplit.s", Part: i, Parts: 2})
	}
	if err := intact(); err != nil {
		t.Fatal(err)
	}
	if o := runJob(t, cfg, ws, Job{Addr: "tsplit.s", Parts: 2, Gather: true}); o != Ran {
		t.Fatalf("gather: %s", o)
	}
}

// TestCheckpointsNeverWriteThroughLinks: checkpoints/ made a link to a
// user's directory, then checkpoints/<key> made a link to a user's file.
// Save replaces each link with the workspace's own, Load does not read
// through a link, and gc removes the links themselves.
func TestCheckpointsNeverWriteThroughLinks(t *testing.T) {
	ws, err := OpenWorkspace(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir, sentinel, intact := outside(t)
	if err := os.Symlink(dir, ws.checkpointDir()); err != nil {
		t.Fatal(err)
	}
	var key artifacts.Digest
	key[0] = 1
	ck := ws.checkpoint(key)
	if err := ck.Save([]byte("state 1")); err != nil {
		t.Fatal(err)
	}
	if err := intact(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(ws.checkpointDir()); err != nil || !fi.IsDir() {
		t.Fatalf("checkpoints/ is not a directory of the workspace: %v", err)
	}
	os.Remove(ck.path)
	if err := os.Symlink(sentinel, ck.path); err != nil {
		t.Fatal(err)
	}
	if b, err := ck.Load(); b != nil || err != nil {
		t.Errorf("Load read through a link: %q, %v", b, err)
	}
	if n, _, err := ws.gcCheckpoints(true, false); n != 1 || err != nil {
		t.Errorf("gc removed %d checkpoints: %v", n, err)
	}
	if err := os.Symlink(sentinel, ck.path); err != nil {
		t.Fatal(err)
	}
	if err := ck.Save([]byte("state 2")); err != nil {
		t.Fatal(err)
	}
	if b, err := ck.Load(); string(b) != "state 2" || err != nil {
		t.Errorf("Load after Save: %q, %v", b, err)
	}
	ck.remove()
	if err := intact(); err != nil {
		t.Fatal(err)
	}
}
