package artifacts

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// addTestdata seeds f with every testdata file matching pattern.
func addTestdata(f *testing.F, pattern string) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds match testdata/%s (%v)", pattern, err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzReadNPY checks that ReadNPY never panics and that whatever it
// accepts survives a write and a second read unchanged, with the second
// encoding equal to the first.
func FuzzReadNPY(f *testing.F) {
	addTestdata(f, "*.npy")
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := ReadNPY(bytes.NewReader(in))
		if err != nil {
			return
		}
		enc, err := EncodeNPY(a)
		if err != nil {
			t.Fatalf("EncodeNPY of an accepted array: %v", err)
		}
		b, err := DecodeNPY(enc)
		if err != nil {
			t.Fatalf("DecodeNPY of our own encoding: %v", err)
		}
		if !sameArray(a, b) {
			t.Fatalf("round trip changed the array: %v %v -> %v %v", a.DType, a.Shape, b.DType, b.Shape)
		}
		enc2, _ := EncodeNPY(b)
		if !bytes.Equal(enc, enc2) {
			t.Fatal("encoding is not stable")
		}
		// The unsized path must agree with the sized one.
		c, err := ReadNPY(onlyReader{bytes.NewReader(in)})
		if err != nil || !sameArray(a, c) {
			t.Fatalf("unsized read differs: %v", err)
		}
	})
}

// onlyReader hides every method but Read, so readers cannot learn the size.
type onlyReader struct{ r *bytes.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// FuzzReadNPZ checks that DecodeNPZ never panics and that whatever it
// accepts survives WriteNPZ and a second read unchanged.
func FuzzReadNPZ(f *testing.F) {
	addTestdata(f, "*.npz")
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := DecodeNPZ(in)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteNPZ(&buf, m); err != nil {
			t.Fatalf("WriteNPZ of accepted members: %v", err)
		}
		back, err := DecodeNPZ(buf.Bytes())
		if err != nil || !sameMembers(m, back) {
			t.Fatalf("round trip changed the members: %v", err)
		}
	})
}

// FuzzReadArrow checks that DecodeArrow never panics and that whatever it
// accepts survives WriteArrow and a second read unchanged.
func FuzzReadArrow(f *testing.F) {
	addTestdata(f, "*.arrow")
	var buf bytes.Buffer
	if err := WriteArrow(&buf, sampleTable()); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, in []byte) {
		tb, err := DecodeArrow(in)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteArrow(&buf, tb); err != nil {
			t.Fatalf("WriteArrow of an accepted table: %v", err)
		}
		back, err := DecodeArrow(buf.Bytes())
		if err != nil || !sameTable(tb, back) {
			t.Fatalf("round trip changed the table: %v", err)
		}
	})
}
