package artifacts

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strings"
)

// A NamedArray is one member of an NPZ archive.
type NamedArray struct {
	Name  string // the key numpy.load gives it; the member is Name+".npy"
	Array Array
}

// npzDate and npzTime are the MS-DOS timestamp of every member written:
// 1980-01-01 00:00:00, the earliest the format can say. Fixed timestamps
// make equal arrays encode to equal bytes, which content addressing needs.
const (
	npzDate = 1<<5 | 1
	npzTime = 0
)

// WriteNPZ writes members as an NPZ archive that numpy.load opens as a
// dict: a zip of stored (uncompressed) NPY files named Name+".npy", in the
// order given, as numpy.savez writes them. Timestamps and attributes are
// fixed, so the same members always give the same bytes. Names must be
// non-empty, distinct, and free of '/', '\\', NUL and "..".
func WriteNPZ(w io.Writer, members []NamedArray) error {
	if err := checkNames(members); err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, m := range members {
		b, err := EncodeNPY(m.Array)
		if err != nil {
			return fmt.Errorf("artifacts: npz member %q: %w", m.Name, err)
		}
		fh := &zip.FileHeader{
			Name:               m.Name + ".npy",
			Method:             zip.Store,
			ModifiedDate:       npzDate,
			ModifiedTime:       npzTime,
			CRC32:              crc32.ChecksumIEEE(b),
			CompressedSize64:   uint64(len(b)),
			UncompressedSize64: uint64(len(b)),
		}
		fh.SetMode(0o644)
		// CreateRaw, given the sizes and CRC up front, writes them in
		// the local header and so needs no data descriptor.
		fw, err := zw.CreateRaw(fh)
		if err != nil {
			return err
		}
		if _, err := fw.Write(b); err != nil {
			return err
		}
	}
	return zw.Close()
}

func checkNames(members []NamedArray) error {
	seen := make(map[string]bool, len(members))
	for _, m := range members {
		if err := checkName(m.Name); err != nil {
			return err
		}
		if seen[m.Name] {
			return fmt.Errorf("%w: duplicate npz member name %q", ErrFormat, m.Name)
		}
		seen[m.Name] = true
	}
	return nil
}

func checkName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty npz member name", ErrFormat)
	case strings.ContainsAny(name, "/\\\x00"), strings.Contains(name, ".."):
		return fmt.Errorf("%w: npz member name %q contains '/', '\\\\', NUL or \"..\"", ErrFormat, name)
	}
	return nil
}

// ReadNPZ reads the NPZ archive r of size bytes and returns its arrays in
// archive order. It reads what numpy.savez and numpy.savez_compressed
// write. Every member must be a valid NPY file named Name+".npy" with a
// name that [WriteNPZ] would accept; errors name the member.
func ReadNPZ(r io.ReaderAt, size int64) ([]NamedArray, error) {
	return readNPZ(r, size, "")
}

// ReadNPZFile reads the NPZ file at path.
func ReadNPZFile(path string) ([]NamedArray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("artifacts: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("artifacts: %w", err)
	}
	return readNPZ(f, fi.Size(), path)
}

// DecodeNPZ decodes the NPZ archive b.
func DecodeNPZ(b []byte) ([]NamedArray, error) {
	return readNPZ(bytes.NewReader(b), int64(len(b)), "")
}

func readNPZ(r io.ReaderAt, size int64, name string) ([]NamedArray, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &FormatError{Name: name, Msg: "not a zip archive: " + err.Error()}
	}
	out := make([]NamedArray, 0, len(zr.File))
	seen := make(map[string]bool, len(zr.File))
	for _, f := range zr.File {
		member := name + ":" + f.Name
		if name == "" {
			member = f.Name
		}
		key, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok {
			return nil, &FormatError{Name: member, Msg: "npz member is not a .npy file"}
		}
		if err := checkName(key); err != nil || seen[key] {
			return nil, &FormatError{Name: member, Msg: "invalid or duplicate npz member name"}
		}
		seen[key] = true
		a, err := readMember(f, member)
		if err != nil {
			return nil, err
		}
		out = append(out, NamedArray{Name: key, Array: a})
	}
	return out, nil
}

// readMember reads one NPY member. Its declared size bounds the data but
// does not size allocations: it comes from the archive, not from the bytes.
func readMember(f *zip.File, member string) (Array, error) {
	rc, err := f.Open()
	if err != nil {
		return Array{}, &FormatError{Name: member, Msg: err.Error()}
	}
	defer rc.Close()
	avail := int64(-1)
	if f.UncompressedSize64 <= uint64(maxInt) {
		avail = int64(f.UncompressedSize64)
	}
	a, err := readNPY(rc, member, avail, false)
	if err == nil {
		// Read on to the end: archive/zip checks the CRC only there.
		var b [1]byte
		var n int
		n, err = io.ReadFull(rc, b[:])
		switch {
		case n > 0:
			return Array{}, &FormatError{Name: member, Msg: "bytes after the array data"}
		case err == io.EOF:
			return a, nil
		}
	}
	var corrupt flate.CorruptInputError
	if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) || errors.As(err, &corrupt) {
		return Array{}, &FormatError{Name: member, Msg: err.Error()}
	}
	return Array{}, err
}
