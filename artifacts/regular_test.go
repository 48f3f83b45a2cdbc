//go:build unix

package artifacts

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// within fails the test if f takes longer than a few seconds: the reads
// under test used to block forever (a FIFO) or run until the kernel
// killed them (/dev/zero).
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return within 10 s", what)
	}
}

var testLimit = Limit{Max: 1 << 20, Use: "a test input", Why: "tests read little"}

// TestReadRegularRefusesSpecialFiles: a FIFO, a link to a device and a
// directory are refused with a FileError before anything is read, at once;
// a link to a regular file is followed.
func TestReadRegularRefusesSpecialFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	// /dev/null, not /dev/zero: were the check to regress, reading
	// /dev/zero in-process would exhaust memory.
	dev := filepath.Join(dir, "dev.npy")
	if err := os.Symlink("/dev/null", dev); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := os.WriteFile(data, []byte("twelve bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("data", link); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{fifo, "is a named pipe (FIFO), not a regular file"},
		{dev, "links to /dev/null, which is a character device, not a regular file"},
		{dir, "is a directory, not a regular file"},
	}
	for _, tc := range tests {
		within(t, "ReadRegular("+tc.path+")", func() {
			_, err := ReadRegular(tc.path, testLimit)
			var fe *FileError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "a test input") {
				t.Errorf("ReadRegular(%s) = %v, want a FileError saying %q", tc.path, err, tc.want)
			}
			if _, _, err := DigestRegular(tc.path, testLimit); !errors.As(err, &fe) {
				t.Errorf("DigestRegular(%s) = %v, want a FileError", tc.path, err)
			}
		})
	}
	b, err := ReadRegular(link, testLimit)
	if err != nil || string(b) != "twelve bytes" {
		t.Fatalf("ReadRegular through a link to a regular file = %q, %v", b, err)
	}
	d, n, err := DigestRegular(link, testLimit)
	if err != nil || d != DigestOf(b) || n != 12 {
		t.Fatalf("DigestRegular = %s, %d, %v; want %s, 12", d, n, err, DigestOf(b))
	}
}

// TestReadRegularBoundsSize: a file one byte over the limit is refused by
// its size, unread (a sparse file of 2^40 bytes would take minutes to
// read), with the reason in the message; a file at the limit is read.
func TestReadRegularBoundsSize(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, size := range []int64{testLimit.Max + 1, 1 << 40} {
		path := filepath.Join(dir, "big")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			t.Skipf("cannot make a sparse file of %d bytes here: %v", size, err)
		}
		f.Close()
		within(t, "ReadRegular of a large file", func() {
			_, err := ReadRegular(path, testLimit)
			var fe *FileError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), "more than the 1 MiB allowed for a test input: tests read little") {
				t.Errorf("size %d: ReadRegular = %v, want a FileError giving the limit and why", size, err)
			}
			if _, _, err := DigestRegular(path, testLimit); !errors.As(err, &fe) {
				t.Errorf("size %d: DigestRegular = %v, want a FileError", size, err)
			}
		})
	}
	path := filepath.Join(dir, "fits")
	if err := os.WriteFile(path, make([]byte, testLimit.Max), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadRegular(path, testLimit); err != nil || int64(len(b)) != testLimit.Max {
		t.Fatalf("a file at the limit: %d bytes, %v", len(b), err)
	}
}

// outside makes a directory outside every store and workspace of the test
// with one sentinel file, and returns a check that the directory still
// holds exactly that file with its contents.
func outside(t *testing.T) (dir string, intact func() error) {
	t.Helper()
	dir = t.TempDir()
	sentinel := filepath.Join(dir, "sentinel.txt")
	if err := os.WriteFile(sentinel, []byte("a user's file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, func() error {
		names, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		if len(names) != 1 || names[0].Name() != "sentinel.txt" {
			var got []string
			for _, n := range names {
				got = append(got, n.Name())
			}
			return errors.New("the directory outside now holds " + strings.Join(got, ", "))
		}
		b, err := os.ReadFile(sentinel)
		if err != nil || string(b) != "a user's file\n" {
			return errors.New("the sentinel outside was changed: " + string(b))
		}
		return nil
	}
}

// TestPutReplacesSymlinkedShard: a link planted in place of a shard
// directory is replaced by a directory; the object is not written where
// the link points.
func TestPutReplacesSymlinkedShard(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	out, intact := outside(t)
	data := []byte("abc") // its shard is ba/
	d := DigestOf(data)
	if err := os.Symlink(out, filepath.Dir(s.Path(d))); err != nil {
		t.Fatal(err)
	}
	for _, put := range []func() error{
		func() error { _, err := s.PutBytes(data); return err },
		func() error { _, _, err := s.Put(strings.NewReader(string(data))); return err },
	} {
		if err := put(); err != nil {
			t.Fatal(err)
		}
		if err := intact(); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Lstat(filepath.Dir(s.Path(d))); err != nil || !fi.IsDir() {
		t.Fatalf("the shard is not a directory of its own: %v %v", fi, err)
	}
	if b, err := s.ReadAll(d); err != nil || string(b) != "abc" {
		t.Fatalf("ReadAll = %q, %v", b, err)
	}
}

// TestQuarantineMovesCorruptObject: a corrupt object read through ReadAll
// is a CorruptError naming the digest; Quarantine moves it, bytes intact,
// into the quarantine directory (replacing a link planted there), after
// which the store lacks it.
func TestQuarantineMovesCorruptObject(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	d, err := s.PutBytes([]byte("the posterior samples"))
	if err != nil {
		t.Fatal(err)
	}
	corrupt(t, s, d)
	damaged, _ := os.ReadFile(s.Path(d))
	_, err = s.ReadAll(d)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Digest != d || !errors.Is(err, ErrCorrupt) {
		t.Fatalf("ReadAll = %v, want a CorruptError for %s", err, d)
	}
	if _, err := s.Quarantine(d); err == nil {
		t.Fatal("Quarantine without a directory moved something")
	}
	out, intact := outside(t)
	q := filepath.Join(filepath.Dir(s.Dir()), "quarantine")
	if err := os.Symlink(out, q); err != nil {
		t.Fatal(err)
	}
	s.SetQuarantine(q)
	dst, err := s.Quarantine(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := intact(); err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dst) != q || !strings.Contains(filepath.Base(dst), d.String()) {
		t.Errorf("moved to %s, want %s/...%s", dst, q, d)
	}
	if b, err := os.ReadFile(dst); err != nil || string(b) != string(damaged) {
		t.Errorf("the quarantined file does not hold the damaged bytes: %v", err)
	}
	if s.Has(d) {
		t.Error("the store still has the quarantined object")
	}
	if _, err := s.Quarantine(d); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Quarantine = %v, want ErrNotFound", err)
	}
}

// TestSpecialFileInPlaceOfObject: a FIFO where an object should be reads
// as a missing object, at once, rather than blocking.
func TestSpecialFileInPlaceOfObject(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	d := DigestOf([]byte("never stored"))
	if err := os.MkdirAll(filepath.Dir(s.Path(d)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(s.Path(d), 0o644); err != nil {
		t.Fatal(err)
	}
	within(t, "reading a FIFO object", func() {
		if s.Has(d) {
			t.Error("Has reports a FIFO as an object")
		}
		if _, err := s.ReadAll(d); err == nil {
			t.Error("ReadAll of a FIFO succeeded")
		}
		if err := s.Verify(d); err == nil {
			t.Error("Verify of a FIFO succeeded")
		}
	})
}

func TestByteSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{
		812:               "812 bytes",
		1 << 20:           "1 MiB",
		3 << 30:           "3 GiB",
		1536:              "1.5 KiB (1536 bytes)",
		8<<28 + 1<<20:     "2.001 GiB (2148532224 bytes)",
		8<<28 + 1<<20 + 1: "2.001 GiB (2148532225 bytes)",
	} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestStoreAtCreatesNothing: a store opened for looking at a missing
// directory is empty and the directory stays missing.
func TestStoreAtCreatesNothing(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "objects")
	s := StoreAt(dir)
	n := 0
	if err := s.Walk(func(Digest, int64) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("Walk = %v, %d objects", err, n)
	}
	if s.Has(DigestOf([]byte("abc"))) {
		t.Fatal("an empty store has an object")
	}
	if _, err := os.Lstat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("StoreAt created %s", dir)
	}
}

// TestNPYFileReadersRefuseFIFO: the NPY readers that take a path refuse
// a FIFO at once instead of waiting for a writer.
func TestNPYFileReadersRefuseFIFO(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "x.npy")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	within(t, "reading a FIFO as NPY", func() {
		var fe *FileError
		if _, err := ReadNPYFile(fifo); !errors.As(err, &fe) {
			t.Errorf("ReadNPYFile = %v, want a FileError", err)
		}
		if _, _, err := ReadNPYInfoFile(fifo); !errors.As(err, &fe) {
			t.Errorf("ReadNPYInfoFile = %v, want a FileError", err)
		}
	})
}

// TestEnsureDirUnderReplacesLinks: links planted at every level below the
// root are replaced by directories and their targets left as they were;
// a directory outside the root is refused.
func TestEnsureDirUnderReplacesLinks(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	out, intact := outside(t)
	if err := os.Symlink(out, filepath.Join(root, "slurm")); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "slurm", "exit")
	if err := EnsureDirUnder(root, dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "job"), []byte("0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := intact(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(root, "slurm"), dir} {
		if fi, err := os.Lstat(p); err != nil || !fi.IsDir() {
			t.Errorf("%s is not a directory of its own: %v", p, err)
		}
	}
	if err := os.Symlink(out, filepath.Join(dir, "logs")); err != nil {
		t.Fatal(err)
	}
	if err := EnsureDirUnder(root, filepath.Join(dir, "logs", "deep"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := intact(); err != nil {
		t.Fatal(err)
	}
	if err := EnsureDirUnder(root, filepath.Dir(root), 0o755); err == nil {
		t.Error("EnsureDirUnder accepted a directory above the root")
	}
}
