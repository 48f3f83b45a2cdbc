package artifacts

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// tempPrefix starts the names of the store's temporary files; no object or
// shard name can start with it, so Walk skips them and RemoveTemp finds them.
const tempPrefix = ".tmp-"

// A Store is a directory of immutable objects named by the SHA-256 of their
// contents, sharded by the first two hex digits: dir/ab/cdef…. A Store is
// safe for concurrent use by several goroutines and processes; objects are
// only ever created whole (by rename) or removed.
type Store struct {
	dir        string // root directory, write-once in OpenStore
	quarantine string // where Quarantine moves objects; "" for nowhere
}

// objectLimit bounds nothing a real object reaches; reads of objects go
// through [OpenRegular] so that a FIFO or device planted in the store is
// refused rather than read forever.
var objectLimit = Limit{Max: 1 << 62, Use: "a stored object", Why: "no object is that large"}

// OpenStore opens the store rooted at dir, creating the directory (and its
// parents) if needed.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("artifacts: open store: %w", err)
	}
	return &Store{dir: dir}, nil
}

// StoreAt returns the store rooted at dir without creating anything: a
// missing directory reads as an empty store. It is for commands that only
// look.
func StoreAt(dir string) *Store { return &Store{dir: dir} }

// SetQuarantine names the directory that [Store.Quarantine] moves
// damaged objects into. Only a process that may write the store (one that
// holds its workspace's lock) should set it.
func (s *Store) SetQuarantine(dir string) { s.quarantine = dir }

// Quarantine moves the object d out of the store into the quarantine
// directory (see [Store.SetQuarantine]) and returns its new path. Whoever
// refers to d then finds it missing and remakes it, while the damaged
// bytes stay available to look at. A missing object is an error wrapping
// [ErrNotFound]; with no quarantine directory set nothing moves and the
// error says so.
func (s *Store) Quarantine(d Digest) (string, error) {
	if s.quarantine == "" {
		return "", fmt.Errorf("artifacts: object %s: no quarantine directory to move it to", d)
	}
	dst, err := MoveAside(s.Path(d), s.quarantine, "object-"+d.String())
	if err != nil {
		return "", s.openErr(d, err)
	}
	return dst, nil
}

// Dir returns the store's root directory.
func (s *Store) Dir() string { return s.dir }

// Path returns the file name of the object d, whether or not it exists.
// Callers may open it read-only but must not modify it.
func (s *Store) Path(d Digest) string {
	h := d.String()
	return filepath.Join(s.dir, h[:2], h[2:])
}

// Put copies r into the store and returns its digest and size.
// It writes a temp file, fsyncs it, makes it read-only and renames it into
// the object's shard directory. Concurrent Puts of the same bytes are
// safe: they rename identical files onto one name, and a reader holding
// the previous file keeps reading identical bytes.
func (s *Store) Put(r io.Reader) (Digest, int64, error) {
	// The digest, and so the shard, is known only after the copy: the
	// temp file lives in the root, on the same file system as the shards.
	f, err := os.CreateTemp(s.dir, tempPrefix+"*")
	if err != nil {
		return Digest{}, 0, fmt.Errorf("artifacts: put: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(f, h), r, make([]byte, 256<<10))
	if err != nil {
		return Digest{}, 0, fmt.Errorf("artifacts: put: %w", err)
	}
	d := Digest(h.Sum(nil))
	if err := s.commit(f, d); err != nil {
		return Digest{}, 0, err
	}
	committed = true
	return d, n, nil
}

// PutBytes stores b and returns its digest. See [Store.Put].
func (s *Store) PutBytes(b []byte) (Digest, error) {
	d := DigestOf(b)
	shard, err := s.mkShard(d)
	if err != nil {
		return Digest{}, err
	}
	f, err := os.CreateTemp(shard, tempPrefix+"*")
	if err != nil {
		return Digest{}, fmt.Errorf("artifacts: put %s: %w", d, err)
	}
	committed := false
	defer func() {
		if !committed {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(b); err != nil {
		return Digest{}, fmt.Errorf("artifacts: put %s: %w", d, err)
	}
	if err := s.commit(f, d); err != nil {
		return Digest{}, err
	}
	committed = true
	return d, nil
}

// commit makes the complete temp file f the object d. On error the caller
// removes f.
func (s *Store) commit(f *os.File, d Digest) error {
	if err := syncClose(f, 0o444); err != nil {
		return fmt.Errorf("artifacts: put %s: %w", d, err)
	}
	shard, err := s.mkShard(d)
	if err != nil {
		return err
	}
	if err := os.Rename(f.Name(), s.Path(d)); err != nil {
		return fmt.Errorf("artifacts: put %s: %w", d, err)
	}
	if err := syncDir(shard); err != nil {
		return fmt.Errorf("artifacts: put %s: %w", d, err)
	}
	return nil
}

// mkShard creates d's shard directory if needed and returns its name. A
// symbolic link in the shard's place is replaced by a directory, so that
// no object is ever written where the link points.
func (s *Store) mkShard(d Digest) (string, error) {
	shard := filepath.Dir(s.Path(d))
	if fi, err := os.Lstat(shard); err == nil && fi.IsDir() {
		return shard, nil
	}
	if err := EnsureDir(shard, 0o755); err != nil {
		return "", fmt.Errorf("artifacts: put %s: %w", d, err)
	}
	if err := syncDir(s.dir); err != nil {
		return "", fmt.Errorf("artifacts: put %s: %w", d, err)
	}
	return shard, nil
}

// Has reports whether the store holds the object d. It does not verify it.
func (s *Store) Has(d Digest) bool {
	_, err := s.Size(d)
	return err == nil
}

// Size returns the size of the object d without reading it: a cheap check
// that catches a truncated or extended object whose size is recorded
// elsewhere. A missing object, or anything there but a regular file, is
// an error wrapping [ErrNotFound].
func (s *Store) Size(d Digest) (int64, error) {
	fi, err := os.Stat(s.Path(d))
	if err != nil {
		return 0, s.openErr(d, err)
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("%w: %s (%s there)", ErrNotFound, d, fileKind(fi.Mode()))
	}
	return fi.Size(), nil
}

// Open returns a reader of the object d. The reader hashes what it reads
// and, at end of file, returns an error wrapping [ErrCorrupt] instead of
// io.EOF if the bytes do not hash to d. A missing object is an error
// wrapping [ErrNotFound]; a FIFO or device in its place is refused
// (see [OpenRegular]).
func (s *Store) Open(d Digest) (io.ReadCloser, error) {
	f, _, err := OpenRegular(s.Path(d), objectLimit)
	if err != nil {
		return nil, s.openErr(d, err)
	}
	return &verifier{f: f, h: sha256.New(), want: d}, nil
}

// ReadAll returns the contents of object d after checking them against d;
// bytes that do not match are a [*CorruptError].
func (s *Store) ReadAll(d Digest) ([]byte, error) {
	b, err := ReadRegular(s.Path(d), objectLimit)
	if err != nil {
		return nil, s.openErr(d, err)
	}
	if DigestOf(b) != d {
		return nil, &CorruptError{Digest: d}
	}
	return b, nil
}

// Verify reads object d through and reports whether it hashes to d: nil,
// or an error wrapping [ErrCorrupt] or [ErrNotFound].
func (s *Store) Verify(d Digest) error {
	rc, err := s.Open(d)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.CopyBuffer(io.Discard, rc, make([]byte, 256<<10))
	return err
}

// Remove deletes object d. Removing a missing object is an error wrapping
// [ErrNotFound].
func (s *Store) Remove(d Digest) error {
	if err := os.Remove(s.Path(d)); err != nil {
		return s.openErr(d, err)
	}
	return nil
}

func (s *Store) openErr(d Digest, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNotFound, d)
	}
	return fmt.Errorf("artifacts: object %s: %w", d, err)
}

// Walk calls fn for every object in the store, in increasing digest order,
// with its size. It skips temp files and anything else that is not an
// object. If fn returns an error, Walk stops and returns it. A store whose
// directory does not exist (see [StoreAt]) is empty.
func (s *Store) Walk(fn func(d Digest, size int64) error) error {
	shards, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("artifacts: walk store: %w", err)
	}
	for _, sh := range shards {
		if !sh.IsDir() || len(sh.Name()) != 2 || !allLowerHex(sh.Name()) {
			continue
		}
		if err := s.walkShard(sh.Name(), fn); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) walkShard(shard string, fn func(d Digest, size int64) error) error {
	ents, err := os.ReadDir(filepath.Join(s.dir, shard))
	if err != nil {
		return fmt.Errorf("artifacts: walk store: %w", err)
	}
	for _, e := range ents {
		d, err := ParseDigest(shard + e.Name())
		if err != nil || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since ReadDir
		}
		if err != nil {
			return fmt.Errorf("artifacts: walk store: %w", err)
		}
		if err := fn(d, fi.Size()); err != nil {
			return err
		}
	}
	return nil
}

// RemoveTemp deletes the temp files that interrupted Puts left behind and
// returns how many it removed. It must not run while another goroutine or
// process may be in a Put on the same store: it would delete that Put's
// temp file and make it fail.
func (s *Store) RemoveTemp() (int, error) {
	n, err := removeTempIn(s.dir)
	if err != nil {
		return n, err
	}
	shards, err := os.ReadDir(s.dir)
	if err != nil {
		return n, fmt.Errorf("artifacts: remove temp files: %w", err)
	}
	for _, sh := range shards {
		if sh.IsDir() && len(sh.Name()) == 2 && allLowerHex(sh.Name()) {
			k, err := removeTempIn(filepath.Join(s.dir, sh.Name()))
			n += k
			if err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func removeTempIn(dir string) (int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("artifacts: remove temp files: %w", err)
	}
	n := 0
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		err := os.Remove(filepath.Join(dir, e.Name()))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("artifacts: remove temp files: %w", err)
		}
		if err == nil {
			n++
		}
	}
	return n, nil
}

func allLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLowerHex(s[i]) {
			return false
		}
	}
	return true
}

// A verifier reads an object and checks its digest at end of file.
type verifier struct {
	f    *os.File
	h    hash.Hash
	want Digest
	end  error // sticky result once EOF was seen
}

func (v *verifier) Read(p []byte) (int, error) {
	if v.end != nil {
		return 0, v.end
	}
	n, err := v.f.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF {
		v.end = io.EOF
		if Digest(v.h.Sum(nil)) != v.want {
			v.end = &CorruptError{Digest: v.want}
		}
		err = v.end
	}
	return n, err
}

func (v *verifier) Close() error { return v.f.Close() }
