package artifacts

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// EnsureDir makes path a directory without following a symbolic link
// there: it creates the directory if nothing is at path, and if a link,
// a file or anything else but a directory is there, it removes that entry
// (a link is removed itself, never what it points to) and creates the
// directory in its place. The parent of path must exist. It is for the
// directories a program owns, whose contents it creates and removes: a
// link planted there would otherwise have those writes and removals
// happen wherever it points.
func EnsureDir(path string, perm fs.FileMode) error {
	for range 3 { // a concurrent creator can win a race; the next pass sees its directory
		fi, err := os.Lstat(path)
		switch {
		case err == nil && fi.IsDir():
			return nil
		case err == nil:
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		case !errors.Is(err, fs.ErrNotExist):
			return err
		}
		if err := os.Mkdir(path, perm); err == nil || !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return fmt.Errorf("mkdir %s: something else keeps being created there", path)
}

// EnsureDirUnder makes dir, which must be root or lie below it, a
// directory as [EnsureDir] does, component by component below root: a
// link anywhere between root and dir is replaced, never followed. root
// itself is trusted and may be a link.
func EnsureDirUnder(root, dir string, perm fs.FileMode) error {
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("mkdir %s: not below %s", dir, root)
	}
	if rel == "." {
		return nil
	}
	path := root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		path = filepath.Join(path, part)
		if err := EnsureDir(path, perm); err != nil {
			return err
		}
	}
	return nil
}

// MoveAside renames the file at path (a link is moved itself) into the
// directory dir, made with [EnsureDir], as name prefixed with the time, and
// returns its new path. It is how damaged files leave a store or
// workspace without being destroyed: whoever looks into dir finds them.
func MoveAside(path, dir, name string) (string, error) {
	if err := EnsureDir(dir, 0o755); err != nil {
		return "", err
	}
	stamp := time.Now().UTC().Format("20060102T150405.000000000Z")
	dst := filepath.Join(dir, stamp+"-"+name)
	for i := 1; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dst = filepath.Join(dir, fmt.Sprintf("%s-%s.%d", stamp, name, i))
	}
	if err := os.Rename(path, dst); err != nil {
		return "", err
	}
	return dst, nil
}
