package pipeline

import (
	"context"
	"fmt"
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

// LockWorkspace takes the workspace lock. If another process holds it,
// waiting is called once with that process's description (its pid and
// command line) and LockWorkspace blocks until the lock is free or ctx is
// cancelled.
func LockWorkspace(ctx context.Context, dir string, waiting func(holder string)) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	ok, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		holder, _ := os.ReadFile(path)
		if waiting != nil {
			waiting(strings.TrimSpace(string(holder)))
		}
		got := make(chan error, 1)
		go func() { got <- waitLock(f) }()
		select {
		case err := <-got:
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("lock %s: %w", path, err)
			}
		case <-ctx.Done():
			f.Close() // closing the descriptor ends the pending flock
			return nil, ctx.Err()
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
