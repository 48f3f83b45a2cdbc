package artifacts

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// WriteFileAtomic writes data to path so that a reader sees either the old
// file or all of data, never a part: it writes a temporary file in the same
// directory, fsyncs it, sets perm (exactly, without the umask), renames it
// over path and fsyncs the directory. The temporary file is removed on
// every error path.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return WriteFileAtomicFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFileAtomicFunc is the streaming form of [WriteFileAtomic]: write
// receives a buffered writer onto the temporary file and streams the
// contents into it, e.g. func(w io.Writer) error { return WriteNPY(w, a) }.
// If write returns an error, path is left untouched.
func WriteFileAtomicFunc(path string, perm os.FileMode, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("artifacts: write %s: %w", path, err)
	}
	committed := false
	defer func() {
		if !committed {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := write(bw); err != nil {
		return fmt.Errorf("artifacts: write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("artifacts: write %s: %w", path, err)
	}
	if err := syncClose(f, perm); err != nil {
		return fmt.Errorf("artifacts: write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("artifacts: write %s: %w", path, err)
	}
	committed = true
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("artifacts: write %s: %w", path, err)
	}
	return nil
}

// syncClose sets f's permission bits, flushes it to stable storage and
// closes it. The mode is set before the rename so the file never appears
// under its final name with the temporary file's 0600.
func syncClose(f *os.File, perm os.FileMode) error {
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

// syncDir fsyncs a directory so that a rename into it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	cerr := d.Close()
	// Some file systems (and some platforms) cannot fsync a directory;
	// the rename is then as durable as that file system makes it.
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		err = nil
	}
	if err != nil {
		return err
	}
	return cerr
}
