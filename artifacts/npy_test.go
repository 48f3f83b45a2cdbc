package artifacts

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
)

// sameArray reports whether a and b have the same dtype, shape and
// element bits (so NaNs compare equal to themselves).
func sameArray(a, b Array) bool {
	if a.DType != b.DType || !equalInts(a.Shape, b.Shape) || a.Len() != b.Len() {
		return false
	}
	ea := make([]byte, a.Len()*a.DType.Size())
	eb := make([]byte, len(ea))
	encodeLE(ea, a.Data, 0)
	encodeLE(eb, b.Data, 0)
	return bytes.Equal(ea, eb)
}

func TestAppendNPYHeaderKnown(t *testing.T) {
	t.Parallel()
	// numpy 1.24.2: np.save(f, np.zeros((2, 3), '<f4')) writes this 128-byte
	// header: the 59-byte dict, 20 spaces of room for the first dimension
	// to grow (GROWTH_AXIS_MAX_DIGITS - 1), 38 spaces of padding and a newline.
	want := "\x93NUMPY\x01\x00\x76\x00" +
		"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" +
		strings.Repeat(" ", 58) + "\n"
	if got := string(AppendNPYHeader(nil, Float32, []int{2, 3})); got != want {
		t.Fatalf("header\n got %q\nwant %q", got, want)
	}
	// The header is appended to dst.
	if got := AppendNPYHeader([]byte("xy"), Float32, []int{2, 3}); string(got) != "xy"+want {
		t.Fatal("AppendNPYHeader did not append to dst")
	}
}

// TestNPYFixtures reads the files that testdata/make_npy.py made with
// numpy.save and compares them with the values that script wrote.
func TestNPYFixtures(t *testing.T) {
	t.Parallel()
	f4 := []float32{-2, -0.5, 1, 2.5, 4, 5.5, 7, 8.5, 10, 11.5, 13, 14.5}
	cases := []struct {
		file      string
		want      Array
		canonical bool // little-endian C order: WriteNPY must give the same bytes
	}{
		{"f4_2x3_c", NewFloat32([]int{2, 3}, f4[:6]), true},
		{"f8_5", NewFloat64([]int{5}, []float64{-2, -0.5, 1, 2.5, 4}), true},
		{"i4_scalar", NewInt32([]int{}, []int32{-5}), true},
		{"i8_2x2_big", NewInt64([]int{2, 2}, []int64{-5, 32, 69, 106}), false},
		{"u1_2x3x2_fortran", NewUint8([]int{2, 3, 2},
			[]uint8{0, 37, 74, 111, 148, 185, 222, 3, 40, 77, 114, 151}), false},
		{"b1_0x3", NewBool([]int{0, 3}, []bool{}), true},
		{"f4_3x2x2_fortran_big", NewFloat32([]int{3, 2, 2}, f4), false},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", tc.file+".npy")
			got, err := ReadNPYFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !sameArray(got, tc.want) {
				t.Fatalf("read %v %v %v, want %v %v %v",
					got.DType, got.Shape, got.Data, tc.want.DType, tc.want.Shape, tc.want.Data)
			}
			if !tc.canonical {
				return
			}
			raw, _ := os.ReadFile(path)
			enc, err := EncodeNPY(tc.want)
			if err != nil || !bytes.Equal(enc, raw) {
				t.Fatalf("EncodeNPY differs from numpy.save's file (err %v)", err)
			}
		})
	}
}

// TestNPYOracleNpyio reads our output with npyio, an independent reader.
func TestNPYOracleNpyio(t *testing.T) {
	t.Parallel()
	f := []float64{1.5, -2, math.Inf(1), 0, 7, 1e-300}
	b, err := EncodeNPY(NewFloat64([]int{2, 3}, f))
	if err != nil {
		t.Fatal(err)
	}
	r, err := npy.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !equalInts(r.Header.Descr.Shape, []int{2, 3}) || r.Header.Descr.Fortran {
		t.Fatalf("npyio header = %+v", r.Header.Descr)
	}
	var got []float64
	if err := r.Read(&got); err != nil {
		t.Fatal(err)
	}
	for i := range f {
		if got[i] != f[i] {
			t.Fatalf("npyio read %v, want %v", got, f)
		}
	}
}

func TestNPYRoundTripAllTypes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		a    Array
	}{
		{"f32-specials", NewFloat32([]int{2, 3}, []float32{float32(math.NaN()), float32(math.Inf(-1)),
			float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32, math.MaxFloat32, 1})},
		{"f64-0d", NewFloat64(nil, []float64{math.Pi})},
		{"i32-ext", NewInt32([]int{3}, []int32{math.MinInt32, 0, math.MaxInt32})},
		{"i64-ext", NewInt64([]int{1, 1, 3}, []int64{math.MinInt64, -1, math.MaxInt64})},
		{"u8-chunks", NewUint8([]int{3, 50000}, bytes.Repeat([]byte{0, 1, 255}, 50000))},
		{"bool", NewBool([]int{2, 2}, []bool{true, false, false, true})},
		{"empty-f64", NewFloat64([]int{4, 0, 2}, nil)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			enc, err := EncodeNPY(tc.a)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := WriteNPY(&buf, tc.a); err != nil || !bytes.Equal(buf.Bytes(), enc) {
				t.Fatalf("WriteNPY and EncodeNPY differ (err %v)", err)
			}
			hdr := AppendNPYHeader(nil, tc.a.DType, tc.a.Shape)
			if len(hdr)%64 != 0 || len(enc) != len(hdr)+tc.a.Len()*tc.a.DType.Size() {
				t.Fatalf("header %d bytes, file %d bytes", len(hdr), len(enc))
			}
			got, err := DecodeNPY(enc)
			if err != nil || !sameArray(got, tc.a) {
				t.Fatalf("DecodeNPY = %v, %v", got, err)
			}
			// A reader that hides its size takes the growing path.
			got, err = ReadNPY(io.MultiReader(bytes.NewReader(enc)))
			if err != nil || !sameArray(got, tc.a) {
				t.Fatalf("ReadNPY (unsized) = %v", err)
			}
		})
	}
}

func TestAppendNPYHeaderVersion2(t *testing.T) {
	t.Parallel()
	// 25,000 dimensions of 1 make a dict of ~75 kB, over the 65,535 bytes
	// that format 1.0's 2-byte length can say.
	shape := make([]int, 25000)
	for i := range shape {
		shape[i] = 1
	}
	h := AppendNPYHeader(nil, Float64, shape)
	if h[6] != 2 || h[7] != 0 {
		t.Fatalf("version %d.%d, want 2.0", h[6], h[7])
	}
	if n := int(binary.LittleEndian.Uint32(h[8:])); n+12 != len(h) || len(h)%64 != 0 || h[len(h)-1] != '\n' {
		t.Fatalf("length field %d, header %d bytes", n, len(h))
	}
	// numpy.load refuses headers over 10,000 bytes, and so do we.
	_, err := DecodeNPY(append(h, make([]byte, 8)...))
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "10000-byte limit") {
		t.Fatalf("DecodeNPY of a huge header: %v", err)
	}
}

func TestFortranToC(t *testing.T) {
	t.Parallel()
	// A (2, 3) array [[0 1 2] [3 4 5]] is stored in Fortran order as
	// columns: 0 3 1 4 2 5.
	got := fortranToC([]int32{0, 3, 1, 4, 2, 5}, []int{2, 3})
	if !equalInts32(got, []int32{0, 1, 2, 3, 4, 5}) {
		t.Fatalf("2-d: %v", got)
	}
	// (2, 2, 2): element (i, j, k) has value 100i+10j+k and Fortran
	// offset i + 2j + 4k.
	src := make([]int32, 8)
	for i := range 2 {
		for j := range 2 {
			for k := range 2 {
				src[i+2*j+4*k] = int32(100*i + 10*j + k)
			}
		}
	}
	want := []int32{0, 1, 10, 11, 100, 101, 110, 111}
	if got := fortranToC(src, []int{2, 2, 2}); !equalInts32(got, want) {
		t.Fatalf("3-d: %v, want %v", got, want)
	}
}

func equalInts32(a, b []int32) bool {
	return len(a) == len(b) && string(int32Bytes(a)) == string(int32Bytes(b))
}

func int32Bytes(a []int32) []byte {
	b := make([]byte, 4*len(a))
	encodeLE(b, a, 0)
	return b
}

func TestArrayAccessors(t *testing.T) {
	t.Parallel()
	a := NewInt32([]int{2}, []int32{1, 2})
	if s, err := a.Int32(); err != nil || len(s) != 2 {
		t.Fatalf("Int32() = %v, %v", s, err)
	}
	_, err := a.Float32()
	var de *DTypeError
	if !errors.As(err, &de) || de.Got != Int32 || de.Want != Float32 || !errors.Is(err, ErrFormat) {
		t.Fatalf("Float32() on int32 array: %v", err)
	}
	if err.Error() != "artifacts: array has dtype int32, want float32" {
		t.Fatalf("message %q", err)
	}
	for _, name := range []string{"float32", "float64", "int32", "int64", "uint8", "bool"} {
		dt, err := ParseDType(name)
		if err != nil || dt.String() != name {
			t.Fatalf("ParseDType(%q) = %v, %v", name, dt, err)
		}
	}
	if _, err := ParseDType("float16"); !errors.Is(err, ErrFormat) {
		t.Fatal("ParseDType accepted float16")
	}
}

func TestArrayValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		a    Array
	}{
		{"zero dtype", Array{Shape: []int{1}, Data: []float32{1}}},
		{"wrong slice", Array{DType: Float32, Shape: []int{1}, Data: []float64{1}}},
		{"nil data", Array{DType: Float32, Shape: []int{0}}},
		{"short data", Array{DType: Int64, Shape: []int{2, 2}, Data: []int64{1, 2, 3}}},
		{"negative dim", Array{DType: Uint8, Shape: []int{-1}, Data: []uint8{}}},
		{"overflow", Array{DType: Uint8, Shape: []int{1 << 40, 1 << 40}, Data: []uint8{}}},
		{"0-d without element", Array{DType: Bool, Data: []bool{}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := tc.a.Validate(); !errors.Is(err, ErrFormat) {
				t.Fatalf("Validate = %v, want ErrFormat", err)
			}
			if _, err := EncodeNPY(tc.a); !errors.Is(err, ErrFormat) {
				t.Fatalf("EncodeNPY = %v, want ErrFormat", err)
			}
			if err := WriteNPY(io.Discard, tc.a); !errors.Is(err, ErrFormat) {
				t.Fatalf("WriteNPY = %v, want ErrFormat", err)
			}
		})
	}
}

func TestNewArrayPanicsOnMismatch(t *testing.T) {
	t.Parallel()
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "artifacts: ") {
			t.Fatalf("recover() = %v, want an artifacts panic", r)
		}
	}()
	NewFloat32([]int{2, 2}, make([]float32, 3))
}

// npyFile builds an NPY file from a header dict and data, padding like
// numpy but with any dict text and version.
func npyFile(major byte, dict string, data []byte) []byte {
	b := []byte(npyMagic)
	b = append(b, major, 0)
	if major == 1 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(dict)))
	}
	return append(append(b, dict...), data...)
}

func TestReadNPYRejects(t *testing.T) {
	t.Parallel()
	dict := func(descr, fortran, shape string) string {
		return "{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }\n"
	}
	ok8 := make([]byte, 8)
	cases := []struct {
		name string
		in   []byte
		msg  string // expected in the error
	}{
		{"empty", nil, "truncated magic"},
		{"bad magic", []byte("\x93NUMPX\x01\x00\x00\x00"), "bad magic"},
		{"magic only", []byte(npyMagic), "truncated magic"},
		{"unknown version", append([]byte(npyMagic), 4, 0, 0, 0), "version 4.0"},
		{"short length", append([]byte(npyMagic), 1, 0, 7), "truncated header length"},
		{"huge header", npyFile(2, strings.Repeat(" ", 10001), nil), "10000-byte limit"},
		{"header past end", npyFile(1, dict("'<f8'", "False", "(1,)"), nil)[:40], "truncated header"},
		{"not a dict", npyFile(1, "['descr']", ok8), "want '{'"},
		{"missing key", npyFile(1, "{'descr': '<f8', 'shape': (1,)}", ok8), `missing key "fortran_order"`},
		{"duplicate key", npyFile(1, "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", ok8), "duplicate key"},
		{"unknown key", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", ok8), `unknown key "x"`},
		{"object dtype", npyFile(1, dict("'|O'", "False", "(1,)"), ok8), "object arrays"},
		{"unicode dtype", npyFile(1, dict("'<U10'", "False", "(1,)"), ok8), "unsupported dtype"},
		{"float16", npyFile(1, dict("'<f2'", "False", "(1,)"), ok8), "unsupported dtype"},
		{"pipe order f8", npyFile(1, dict("'|f8'", "False", "(1,)"), ok8), "byte order '|'"},
		{"structured", npyFile(1, dict("[('a', '<f4')]", "False", "(1,)"), ok8), "structured dtypes"},
		{"fortran int", npyFile(1, dict("'<f8'", "1", "(1,)"), ok8), "True or False"},
		{"fortran prefix", npyFile(1, dict("'<f8'", "Falsey", "(1,)"), ok8), "True or False"},
		{"shape list", npyFile(1, dict("'<f8'", "False", "[1]"), ok8), "want '('"},
		{"shape int", npyFile(1, dict("'<f8'", "False", "(1)"), ok8), "not a tuple"},
		{"negative dim", npyFile(1, dict("'<f8'", "False", "(-1,)"), ok8), "negative dimension"},
		{"float dim", npyFile(1, dict("'<f8'", "False", "(1.5,)"), ok8), "want ','"},
		{"long int dim", npyFile(1, dict("'<f8'", "False", "(1L,)"), ok8), "not a decimal integer"},
		{"leading zero", npyFile(1, dict("'<f8'", "False", "(01,)"), ok8), "leading zero"},
		{"dim overflow", npyFile(1, dict("'<f8'", "False", "(99999999999999999999,)"), ok8), "overflows"},
		{"count overflow", npyFile(1, dict("'<f8'", "False", "(4294967296, 4294967296)"), ok8), "too large"},
		{"bytes overflow", npyFile(1, dict("'<f8'", "False", "(2305843009213693952,)"), ok8), "too large"},
		{"more than present", npyFile(1, dict("'<f8'", "False", "(1000,)"), ok8), "needs 8000 data bytes, only 8 present"},
		{"trailing text", npyFile(1, dict("'<f8'", "False", "(1,)")+"x", ok8), "after the dict"},
		{"unterminated", npyFile(1, "{'descr", ok8), "unterminated string"},
		{"escape", npyFile(1, dict(`'<f\8'`, "False", "(1,)"), ok8), "unsupported character"},
		{"non-ascii", npyFile(3, dict("'<f8\xc3\xa9'", "False", "(1,)"), ok8), "unsupported character"},
		{"trailing data", append(npyFile(1, dict("'<f8'", "False", "(1,)"), ok8), 0), "1 bytes after the array data"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := DecodeNPY(tc.in)
			var fe *FormatError
			if !errors.As(err, &fe) || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("DecodeNPY error = %v, want a FormatError containing %q", err, tc.msg)
			}
		})
	}
}

func TestReadNPYNamesFile(t *testing.T) {
	t.Parallel()
	b, err := EncodeNPY(NewFloat32([]int{4, 4}, make([]float32, 16)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "obs.npy")
	if err := os.WriteFile(path, b[:len(b)-5], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadNPYFile(path)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Name != path || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v does not name %s", err, path)
	}
	if !strings.Contains(fe.Msg, "needs 64 data bytes, only 59 present") || fe.Offset != 128 {
		t.Fatalf("error %+v", fe)
	}
	// Without a size, the truncation shows at the end of the data.
	_, err = ReadNPYNamed(io.MultiReader(bytes.NewReader(b[:len(b)-5])), "pipe")
	if !errors.As(err, &fe) || fe.Name != "pipe" || fe.Msg != "truncated data: want 64 bytes, got 59" {
		t.Fatalf("unsized truncation: %v", err)
	}
}

// TestReadNPYLyingHeaderAllocation checks that a header that declares far
// more data than the stream holds does not make the reader allocate it.
func TestReadNPYLyingHeaderAllocation(t *testing.T) {
	// 2^28 float64 = 2 GiB declared, 64 bytes present.
	in := append(AppendNPYHeader(nil, Float64, []int{1 << 28}), make([]byte, 64)...)
	for _, tc := range []struct {
		name string
		r    func() io.Reader
	}{
		{"sized", func() io.Reader { return bytes.NewReader(in) }},
		{"unsized", func() io.Reader { return io.MultiReader(bytes.NewReader(in)) }},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := ReadNPY(tc.r())
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrFormat) {
			t.Fatalf("%s: error = %v, want ErrFormat", tc.name, err)
		}
		// The unsized path allocates one 64 KiB chunk and a first slab of
		// elements of the same size; 4 MiB leaves room for runtime noise.
		if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
			t.Fatalf("%s: allocated %d bytes for a 64-byte payload", tc.name, got)
		}
	}
}

// TestWriteNPYAllocs checks that WriteNPY streams: its allocations do not
// grow with the array (one 64 KiB chunk buffer and the header's).
func TestWriteNPYAllocs(t *testing.T) {
	small := NewFloat32([]int{4}, make([]float32, 4))
	large := NewFloat32([]int{1024, 1024}, make([]float32, 1<<20))
	ns := testing.AllocsPerRun(20, func() { WriteNPY(io.Discard, small) })
	nl := testing.AllocsPerRun(20, func() { WriteNPY(io.Discard, large) })
	if nl != ns || nl > 6 {
		t.Fatalf("WriteNPY allocates %v times for 4 elements and %v for 1M, want the same few", ns, nl)
	}
}
