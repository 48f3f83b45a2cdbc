package artifacts

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound reports that the store holds no object with the digest asked for.
	ErrNotFound = errors.New("artifacts: object not found")

	// ErrCorrupt reports that an object's bytes do not hash to its name.
	ErrCorrupt = errors.New("artifacts: object does not match its digest")

	// ErrFormat reports malformed or unsupported encoded data: a bad NPY
	// header, a zip member that is not an array, a digest that is not hex.
	ErrFormat = errors.New("artifacts: malformed data")
)

// A CorruptError reports an object whose bytes no longer hash to its name.
// It unwraps to [ErrCorrupt].
type CorruptError struct {
	Digest Digest
	// MovedTo is where the object was moved aside, when it was; see
	// [Store.Quarantine].
	MovedTo string
}

func (e *CorruptError) Error() string {
	msg := fmt.Sprintf("%v: %s", ErrCorrupt, e.Digest)
	if e.MovedTo != "" {
		msg += "; moved aside to " + e.MovedTo
	}
	return msg
}

// Unwrap returns [ErrCorrupt].
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// A FileError says why a file cannot be read as an input: it is not a
// regular file (a FIFO, a device, a directory), or it is larger than the
// limit for its use. See [OpenRegular].
type FileError struct {
	Path string
	Msg  string // a full sentence that follows the path: "is a FIFO, ..."
}

func (e *FileError) Error() string { return e.Path + " " + e.Msg }

// A FormatError describes a problem in encoded data. It unwraps to [ErrFormat].
type FormatError struct {
	Name   string // the file or archive member, if known
	Offset int64  // byte offset of the problem within Name
	Msg    string // what is wrong
}

func (e *FormatError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("artifacts: offset %d: %s", e.Offset, e.Msg)
	}
	return fmt.Sprintf("artifacts: %s: offset %d: %s", e.Name, e.Offset, e.Msg)
}

// Unwrap returns [ErrFormat].
func (e *FormatError) Unwrap() error { return ErrFormat }

// A DTypeError reports that an [Array] has another element type than the
// one asked for. It unwraps to [ErrFormat].
type DTypeError struct {
	Got, Want DType
}

func (e *DTypeError) Error() string {
	return fmt.Sprintf("artifacts: array has dtype %s, want %s", e.Got, e.Want)
}

// Unwrap returns [ErrFormat].
func (e *DTypeError) Unwrap() error { return ErrFormat }
