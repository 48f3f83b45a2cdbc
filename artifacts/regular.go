package artifacts

import (
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// A Limit bounds what [OpenRegular] and its relatives read from a file:
// at most Max bytes, for the use named in Use ("a pipeline file"), for
// the reason given in Why, which the error quotes.
type Limit struct {
	Max int64
	Use string
	Why string
}

// OpenRegular opens path for reading if it is a regular file of at most
// l.Max bytes, and returns it with its size. A symbolic link is followed
// (users may link their data) but its target must be a regular file too.
// Anything else (a FIFO, a device such as /dev/zero, a socket, a
// directory) is refused with a [*FileError] before a byte is read, so that
// no read can block or run on forever. The file is checked again after
// opening, which is done without blocking, so a file swapped for a FIFO
// in between is refused as well.
func OpenRegular(path string, l Limit) (*os.File, int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	if err := l.check(path, fi); err != nil {
		return nil, 0, err
	}
	// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	// writer; O_NOCTTY: a terminal never becomes the controlling one.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, 0, err
	}
	fi, err = f.Stat()
	if err == nil {
		err = l.check(path, fi)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// ReadRegular returns the contents of path, which must be a regular file
// of at most l.Max bytes; see [OpenRegular]. A file that grows past the
// limit while it is read is refused too.
func ReadRegular(path string, l Limit) ([]byte, error) {
	f, size, err := OpenRegular(path, l)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, 0, size+1) // +1: io.ReadAll-style growth finds EOF without a copy
	for {
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if int64(len(b)) > l.Max {
			return nil, l.tooBig(path, int64(len(b)))
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// DigestRegular returns the SHA-256 and size of path, which must be a
// regular file of at most l.Max bytes (see [OpenRegular]), reading it in
// pieces: a file of gigabytes is hashed in little memory.
func DigestRegular(path string, l Limit) (Digest, int64, error) {
	f, _, err := OpenRegular(path, l)
	if err != nil {
		return Digest{}, 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, io.LimitReader(f, l.Max+1), make([]byte, 256<<10))
	if err != nil {
		return Digest{}, 0, err
	}
	if n > l.Max {
		return Digest{}, 0, l.tooBig(path, n)
	}
	return Digest(h.Sum(nil)), n, nil
}

func (l Limit) check(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		is := "is"
		if target, err := filepath.EvalSymlinks(path); err == nil && target != filepath.Clean(path) {
			is = "links to " + target + ", which is"
		}
		return &FileError{Path: path, Msg: fmt.Sprintf(
			"%s %s, not a regular file; sdapipe reads %s only from a regular file (or a symbolic link to one), so that reading it cannot block or run on forever.",
			is, fileKind(fi.Mode()), l.Use)}
	}
	if fi.Size() > l.Max {
		return l.tooBig(path, fi.Size())
	}
	return nil
}

func (l Limit) tooBig(path string, size int64) error {
	return &FileError{Path: path, Msg: fmt.Sprintf("is %s, more than the %s allowed for %s: %s.",
		byteSize(size), byteSize(l.Max), l.Use, l.Why)}
}

// fileKind names a file's type for messages.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file (mode " + m.String() + ")"
}

// byteSize writes a size in bytes for people: "3 GiB", "812 bytes", and
// "2.001 GiB (2148532225 bytes)" where rounding would hide a difference.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	v, i, exact := float64(n), -1, true
	for v >= unit && i < 3 {
		exact = exact && int64(v)%unit == 0 && v == float64(int64(v))
		v /= unit
		i++
	}
	if exact && v == float64(int64(v)) {
		return fmt.Sprintf("%d %ciB", int64(v), "KMGT"[i])
	}
	return fmt.Sprintf("%.4g %ciB (%d bytes)", v, "KMGT"[i], n)
}
