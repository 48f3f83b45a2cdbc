package artifacts

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// numpyWriter saves one array per case with numpy.save, plus its C-order
// little-endian bytes (.raw) and numpy.save of its C-order little-endian
// copy (.canon.npy), and lists the cases in manifest.txt as
// "name dtype dim,dim,...".
const numpyWriter = `
import sys, os
import numpy as np
from numpy.lib import format as F
out = sys.argv[1]
rng = np.random.default_rng(20231)

def values(dt, n):
    if dt.kind == "f":
        v = rng.standard_normal(n) * 1e3
        fi = np.finfo(dt)
        special = [np.nan, np.inf, -np.inf, -0.0, 0.0, fi.max, -fi.max, fi.tiny, fi.smallest_subnormal]
        k = min(n, len(special)); v[:k] = special[:k]
        return v.astype(dt)
    if dt.kind in "iu":
        ii = np.iinfo(dt)
        v = rng.integers(ii.min, ii.max, size=n, endpoint=True, dtype=dt.newbyteorder("="))
        if n >= 2: v[0], v[1] = ii.min, ii.max
        return v.astype(dt)
    return rng.random(n) < 0.5

shapes = {"0d": (), "1d": (5,), "3d": (2, 3, 4), "empty": (0, 3), "chunks": (3, 10000), "tall": (1234, 3),
          "pad64": (0, 10001, 10001, 1001, 1, 1, 1, 1, 1, 1, 1)}
man = open(os.path.join(out, "manifest.txt"), "w")

def emit(name, a, version=None):
    path = os.path.join(out, name)
    if version is None:
        np.save(path + ".npy", a)
    else:
        with open(path + ".npy", "wb") as f:
            F.write_array(f, a, version=version)
    c = a.astype(a.dtype.newbyteorder("<"), order="C")
    with open(path + ".raw", "wb") as f:
        f.write(c.tobytes())
    np.save(path + ".canon.npy", c)
    man.write("%s %s %s\n" % (name, c.dtype.name, ",".join(map(str, a.shape))))

for code in ["f4", "f8", "i4", "i8", "u1", "b1"]:
    base = np.dtype(code)
    for sname, shape in shapes.items():
        n = int(np.prod(shape))
        for order in ["C", "F"]:
            if order == "F" and len(shape) < 2:
                continue
            for end in ["<", ">"]:
                if end == ">" and base.itemsize == 1:
                    continue
                a = values(base.newbyteorder(end), n).reshape(shape, order=order)
                assert order == "C" or a.flags.f_contiguous
                emit("%s_%s_%s_%s" % (code, sname, order, "be" if end == ">" else "le"), a)

a = values(np.dtype("<f4"), 6).reshape(2, 3)
emit("f4_v2", a, version=(2, 0))
emit("f4_v3", a, version=(3, 0))
emit("f8_fortran_v2", np.asfortranarray(values(np.dtype(">f8"), 24).reshape(2, 3, 4)), version=(2, 0))
man.close()
`

// TestNumpyRoundTrip checks both directions against numpy: every array
// numpy.save writes (all dtypes; 0-d, 1-d, 3-d, empty and multi-chunk
// shapes; C and Fortran order; either byte order; format 1.0, 2.0, 3.0)
// reads back with exactly numpy's values, and WriteNPY of it is
// byte-identical to numpy.save of its C-order little-endian copy.
func TestNumpyRoundTrip(t *testing.T) {
	needNumpy(t)
	t.Parallel()
	dir := t.TempDir()
	runPython(t, numpyWriter, dir)
	f, err := os.Open(filepath.Join(dir, "manifest.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases := 0
	for sc := bufio.NewScanner(f); sc.Scan(); cases++ {
		fields := strings.Fields(sc.Text())
		name, dtype, shape := fields[0], fields[1], parseShape(t, fields)
		t.Run(name, func(t *testing.T) {
			checkNumpyCase(t, filepath.Join(dir, name), dtype, shape)
		})
	}
	if cases < 60 {
		t.Fatalf("manifest lists only %d cases", cases)
	}
}

func parseShape(t *testing.T, fields []string) []int {
	shape := []int{}
	if len(fields) < 3 {
		return shape
	}
	for _, s := range strings.Split(fields[2], ",") {
		d, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		shape = append(shape, d)
	}
	return shape
}

func checkNumpyCase(t *testing.T, base, dtype string, shape []int) {
	a, err := ReadNPYFile(base + ".npy")
	if err != nil {
		t.Fatal(err)
	}
	if a.DType.String() != dtype || !equalInts(a.Shape, shape) {
		t.Fatalf("read %s %v, want %s %v", a.DType, a.Shape, dtype, shape)
	}
	raw, err := os.ReadFile(base + ".raw")
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, a.Len()*a.DType.Size())
	encodeLE(got, a.Data, 0)
	if !bytes.Equal(got, raw) {
		t.Fatalf("values differ from numpy's (%d vs %d bytes)", len(got), len(raw))
	}
	canon, err := os.ReadFile(base + ".canon.npy")
	if err != nil {
		t.Fatal(err)
	}
	enc, err := EncodeNPY(a)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, canon) {
		n := min(len(enc), len(canon), 256)
		t.Fatalf("EncodeNPY differs from numpy.save:\n got %q\nwant %q", enc[:n], canon[:n])
	}
	var buf bytes.Buffer
	if err := WriteNPY(&buf, a); err != nil || !bytes.Equal(buf.Bytes(), canon) {
		t.Fatalf("WriteNPY differs from numpy.save (err %v)", err)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
