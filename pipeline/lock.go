package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// A Lock is an exclusive hold on a workspace, so that two processes never
// write one workspace at once. The operating system releases it when the
// process dies, so a killed run never leaves a stale lock behind.
type Lock struct {
	f *os.File
}

// lockPoll is how often a process waiting for the workspace lock tries
// again.
const lockPoll = 100 * time.Millisecond

// LockWorkspace takes the workspace lock, creating the workspace
// directory if needed. If another process holds it, waiting is called once
// with that process's description (its pid and command line) and
// LockWorkspace blocks until the lock is free or ctx is cancelled. A
// symbolic link (or anything but a regular file) at dir/lock is replaced
// by a lock file: the lock never writes where a link points.
func LockWorkspace(ctx context.Context, dir string, waiting func(holder string)) (*Lock, error) {
	if err := makeWorkspaceDir(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "lock")
	f, err := openLockFile(dir, path)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	ok, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		holder := make([]byte, 4096)
		n, _ := f.ReadAt(holder, 0)
		holder = holder[:n]
		if waiting != nil {
			waiting(strings.TrimSpace(string(holder)))
		}
		// Poll rather than block in flock: a blocked flock cannot be
		// cancelled, and closing the descriptor under it would let a
		// reused descriptor number be locked later.
		tick := time.NewTicker(lockPoll)
		defer tick.Stop()
		for !ok {
			select {
			case <-ctx.Done():
				f.Close()
				return nil, ctx.Err()
			case <-tick.C:
			}
			if ok, err = tryLock(f); err != nil {
				f.Close()
				return nil, fmt.Errorf("lock %s: %w", path, err)
			}
		}
	}
	// Record the holder for whoever waits next. The lock is the flock, not
	// the contents, so a crash between truncate and write is harmless.
	f.Truncate(0)
	fmt.Fprintf(f, "pid %d (%s) since %s\n", os.Getpid(), strings.Join(os.Args, " "), time.Now().Format(time.RFC3339))
	return &Lock{f: f}, nil
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	unlock(l.f)
	err := l.f.Close()
	l.f = nil
	return err
}

// openLockFile opens (creating) the lock file at path without following a
// symbolic link. Anything but a regular file there is removed (a link
// itself, never its target) and a lock file created in its place; the
// removal happens under a lock on the workspace directory, so that two
// processes repairing at once cannot remove each other's new lock file.
func openLockFile(dir, path string) (*os.File, error) {
	f, err := openNoFollow(path)
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, errNotRegular) {
		return nil, err
	}
	unlockDir, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlockDir()
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("replace the %s at the lock's path: %w", fi.Mode().Type(), err)
		}
	}
	return openNoFollow(path)
}

// errNotRegular is openNoFollow's error for a link or special file.
var errNotRegular = errors.New("not a regular file")
