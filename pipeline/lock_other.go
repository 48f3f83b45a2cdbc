//go:build !unix

package pipeline

import "os"

// On systems without flock the workspace is not locked: sdapipe's
// supported platforms are unix-like; this keeps the package building.
func tryLock(*os.File) (bool, error) { return true, nil }

func waitLock(*os.File) error { return nil }

func unlock(*os.File) error { return nil }
