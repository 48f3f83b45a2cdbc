//go:build !unix

package pipeline

import (
	"fmt"
	"os"
)

// On systems without flock the workspace is not locked: sdapipe's
// supported platforms are unix-like; this keeps the package building.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlock(*os.File) error { return nil }

// openNoFollow opens path read-write, creating it, if it is a regular file
// and not a symbolic link.
func openNoFollow(path string) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s", errNotRegular, fi.Mode().Type())
	}
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
}

func lockDir(string) (func(), error) { return func() {}, nil }
