package artifacts

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestReadNPYInfoFile: the header alone gives the dtype and shape that a
// full read gives, for numpy's own files, and a file cut short of its data
// is rejected as a full read rejects it.
func TestReadNPYInfoFile(t *testing.T) {
	for _, name := range []string{"f4_2x3_c", "f8_5", "i4_scalar", "i8_2x2_big", "u1_2x3x2_fortran", "b1_0x3", "f4_3x2x2_fortran_big"} {
		path := filepath.Join("testdata", name+".npy")
		dt, shape, err := ReadNPYInfoFile(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		a, err := ReadNPYFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if dt != a.DType || !slices.Equal(shape, a.Shape) {
			t.Errorf("%s: info %v %v, full read %v %v", name, dt, shape, a.DType, a.Shape)
		}
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "f4_2x3_c.npy"))
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.npy")
	if err := os.WriteFile(cut, raw[:len(raw)-4], 0o644); err != nil {
		t.Fatal(err)
	}
	var fe *FormatError
	if _, _, err := ReadNPYInfoFile(cut); !errors.As(err, &fe) || fe.Name != cut {
		t.Errorf("truncated file: got %v, want a *FormatError naming it", err)
	}
	if _, _, err := ReadNPYInfoFile(filepath.Join(t.TempDir(), "absent.npy")); err == nil {
		t.Error("a missing file gave no error")
	}
}
