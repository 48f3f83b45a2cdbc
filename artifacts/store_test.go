package artifacts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := OpenStore(filepath.Join(t.TempDir(), "ws", "objects"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStorePutLayout(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	data := []byte("abc")
	d, n, err := s.Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	// SHA-256("abc"), FIPS 180-2.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if d.String() != want || n != 3 {
		t.Fatalf("Put = %s, %d; want %s, 3", d, n, want)
	}
	if p := s.Path(d); p != filepath.Join(s.Dir(), "ba", want[2:]) {
		t.Fatalf("Path = %s, want shard ba/%s", p, want[2:])
	}
	fi, err := os.Stat(s.Path(d))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o444 {
		t.Fatalf("object mode = %v, want read-only 0444", fi.Mode().Perm())
	}
	if !s.Has(d) || s.Has(DigestOf([]byte("abd"))) {
		t.Fatal("Has wrong")
	}
	d2, err := s.PutBytes(data)
	if err != nil || d2 != d {
		t.Fatalf("PutBytes = %s, %v; want %s", d2, err, d)
	}
	if names := dirNames(t, s.Dir()); !slices.Equal(names, []string{"ba"}) {
		t.Fatalf("store root holds %v, want only shard ba", names)
	}
}

func TestStoreReadBack(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	data := bytes.Repeat([]byte("0123456789"), 100_000) // 1 MB: several reads
	d, err := s.PutBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadAll(d)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("ReadAll: %v (equal=%v)", err, bytes.Equal(got, data))
	}
	rc, err := s.Open(d)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err = io.ReadAll(iotest.OneByteReader(io.LimitReader(rc, 10)))
	if err != nil || string(got) != "0123456789" {
		t.Fatalf("partial read = %q, %v", got, err)
	}
	rest, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(append(got, rest...), data) {
		t.Fatalf("Open read: %v", err)
	}
	if err := s.Verify(d); err != nil {
		t.Fatalf("Verify = %v", err)
	}
}

// corrupt flips one byte of object d in place.
func corrupt(t *testing.T, s *Store, d Digest) {
	t.Helper()
	p := s.Path(d)
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestStoreCorrupt(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	d, err := s.PutBytes([]byte("the posterior samples"))
	if err != nil {
		t.Fatal(err)
	}
	corrupt(t, s, d)
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), d.String()) {
			t.Errorf("%s: error = %v, want ErrCorrupt naming %s", op, err, d)
		}
	}
	_, err = s.ReadAll(d)
	check("ReadAll", err)
	check("Verify", s.Verify(d))
	rc, err := s.Open(d)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	_, err = io.ReadAll(rc)
	check("Open+ReadAll", err)
	_, err = rc.Read(make([]byte, 1))
	check("Read after EOF", err)

	// Putting the right bytes again repairs the object.
	if _, err := s.PutBytes([]byte("the posterior samples")); err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(d); err != nil {
		t.Fatalf("Verify after repair = %v", err)
	}
}

func TestStoreNotFound(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	d := DigestOf([]byte("never stored"))
	_, err := s.Open(d)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), d.String()) {
		t.Fatalf("Open: %v, want ErrNotFound naming the digest", err)
	}
	if _, err := s.ReadAll(d); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ReadAll: %v", err)
	}
	if err := s.Verify(d); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Verify: %v", err)
	}
	if err := s.Remove(d); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Remove: %v", err)
	}
}

func TestStoreWalkRemove(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	var want []Digest
	sizes := map[Digest]int64{}
	for i := range 20 {
		b := []byte(strings.Repeat("x", i))
		d, err := s.PutBytes(b)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, d)
		sizes[d] = int64(i)
	}
	slices.SortFunc(want, func(a, b Digest) int { return bytes.Compare(a[:], b[:]) })
	// Junk that Walk must skip: temp files, stray files and directories.
	for _, p := range []string{tempPrefix + "1", "README", want[0].String()[:2] + "/" + tempPrefix + "2"} {
		if err := os.WriteFile(filepath.Join(s.Dir(), p), []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(s.Dir(), "zz"), 0o755); err != nil {
		t.Fatal(err)
	}
	var got []Digest
	err := s.Walk(func(d Digest, size int64) error {
		if size != sizes[d] {
			t.Errorf("Walk size of %s = %d, want %d", d, size, sizes[d])
		}
		got = append(got, d)
		return nil
	})
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("Walk = %v, %v; want %d digests in order", got, err, len(want))
	}
	stop := errors.New("stop")
	calls := 0
	if err := s.Walk(func(Digest, int64) error { calls++; return stop }); err != stop || calls != 1 {
		t.Fatalf("Walk with failing fn = %v after %d calls", err, calls)
	}
	if err := s.Remove(want[3]); err != nil {
		t.Fatal(err)
	}
	if s.Has(want[3]) {
		t.Fatal("object still there after Remove")
	}
	n, err := s.RemoveTemp()
	if err != nil || n != 2 {
		t.Fatalf("RemoveTemp = %d, %v; want 2", n, err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), "README")); err != nil {
		t.Fatal("RemoveTemp removed a file that is not a temp file")
	}
}

func TestStoreConcurrentPutSame(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	data := bytes.Repeat([]byte("same bytes "), 50_000)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			var err error
			if i%2 == 0 {
				_, _, err = s.Put(bytes.NewReader(data))
			} else {
				_, err = s.PutBytes(data)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	count := 0
	s.Walk(func(Digest, int64) error { count++; return nil })
	if count != 1 {
		t.Fatalf("store holds %d objects, want 1", count)
	}
	if err := s.Verify(DigestOf(data)); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.RemoveTemp(); n != 0 {
		t.Fatalf("%d temp files left behind", n)
	}
}

func TestStorePutReaderError(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(boom))
	if _, _, err := s.Put(r); !errors.Is(err, boom) {
		t.Fatalf("Put error = %v, want the reader's error", err)
	}
	if names := dirNames(t, s.Dir()); len(names) != 0 {
		t.Fatalf("failed Put left %v", names)
	}
}

func ExampleStore() {
	dir, _ := os.MkdirTemp("", "store")
	defer os.RemoveAll(dir)
	s, _ := OpenStore(dir)
	d, n, _ := s.Put(strings.NewReader("abc"))
	b, _ := s.ReadAll(d)
	fmt.Println(d, n, string(b))
	// Output: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3 abc
}
