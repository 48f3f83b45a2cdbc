package artifacts

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
)

// npyChunk is the size of the scratch buffer through which array data
// are encoded and decoded; a multiple of every element size.
const npyChunk = 64 << 10

// WriteNPY writes a as an NPY file that is byte-identical to what
// numpy.save writes for the same C-order little-endian array.
// It returns an error wrapping [ErrFormat] if a is not valid.
func WriteNPY(w io.Writer, a Array) error {
	if err := a.Validate(); err != nil {
		return err
	}
	buf := AppendNPYHeader(make([]byte, 0, npyChunk), a.DType, a.Shape)
	if _, err := w.Write(buf); err != nil {
		return err
	}
	buf = buf[:cap(buf)]
	size, n := a.DType.Size(), a.Len()
	for i := 0; i < n; {
		k := encodeLE(buf, a.Data, i)
		if _, err := w.Write(buf[:k*size]); err != nil {
			return err
		}
		i += k
	}
	return nil
}

// AppendNPY appends the NPY encoding of a (see [WriteNPY]) to dst and
// returns the extended buffer.
func AppendNPY(dst []byte, a Array) ([]byte, error) {
	if err := a.Validate(); err != nil {
		return dst, err
	}
	dst = AppendNPYHeader(dst, a.DType, a.Shape)
	start, nb := len(dst), a.Len()*a.DType.Size()
	dst = slices.Grow(dst, nb)[:start+nb]
	encodeLE(dst[start:], a.Data, 0)
	return dst, nil
}

// EncodeNPY returns the NPY encoding of a (see [WriteNPY]).
func EncodeNPY(a Array) ([]byte, error) {
	n := a.Len() * a.DType.Size()
	if n < 0 {
		n = 0
	}
	return AppendNPY(make([]byte, 0, 128+n), a)
}

// encodeLE writes the elements data[from:] in little-endian order into
// dst, as many as fit, and returns how many it wrote.
func encodeLE(dst []byte, data any, from int) int {
	le := binary.LittleEndian
	switch s := data.(type) {
	case []float32:
		s = s[from:min(len(s), from+len(dst)/4)]
		for i, v := range s {
			le.PutUint32(dst[4*i:], math.Float32bits(v))
		}
		return len(s)
	case []float64:
		s = s[from:min(len(s), from+len(dst)/8)]
		for i, v := range s {
			le.PutUint64(dst[8*i:], math.Float64bits(v))
		}
		return len(s)
	case []int32:
		s = s[from:min(len(s), from+len(dst)/4)]
		for i, v := range s {
			le.PutUint32(dst[4*i:], uint32(v))
		}
		return len(s)
	case []int64:
		s = s[from:min(len(s), from+len(dst)/8)]
		for i, v := range s {
			le.PutUint64(dst[8*i:], uint64(v))
		}
		return len(s)
	case []uint8:
		return copy(dst, s[from:])
	case []bool:
		s = s[from:min(len(s), from+len(dst))]
		for i, v := range s {
			dst[i] = 0
			if v {
				dst[i] = 1
			}
		}
		return len(s)
	}
	panic("artifacts: encodeLE: unsupported data type")
}

// ReadNPY reads one NPY array from r and returns it in C order with the
// native Go element type. See [ReadNPYNamed].
func ReadNPY(r io.Reader) (Array, error) { return ReadNPYNamed(r, "") }

// npyFileLimit bounds nothing a real file reaches: the size of an NPY
// file read from disk is bounded by the file itself once it is known to
// be a regular one, and its header is checked against it before any
// allocation.
var npyFileLimit = Limit{Max: 1 << 62, Use: "an NPY file", Why: "no file is that large"}

// ReadNPYNamed reads one NPY array from r, naming it name in errors.
// It accepts format versions 1.0, 2.0 and 3.0, little-, big- or
// native-order ('=', read as little-endian) data in C or Fortran order, of
// the dtypes listed at [DType]. Malformed input, object or unsupported
// dtypes, headers over 10,000 bytes and truncated data give a
// [*FormatError]. Reading stops at the end of the array's data.
//
// The data size that the header declares is checked against the bytes
// left in r before any allocation when r tells its size (a Len method,
// as in bytes.Reader, or a regular file or other io.Seeker); otherwise
// the array grows as data arrive, so a lying header costs no more memory
// than the data present.
func ReadNPYNamed(r io.Reader, name string) (Array, error) {
	avail := knownSize(r)
	return readNPY(r, name, avail, avail >= 0)
}

// ReadNPYFile reads the NPY file at path, which must be a regular file
// (or a link to one): a FIFO or device is refused, see [OpenRegular].
func ReadNPYFile(path string) (Array, error) {
	f, _, err := OpenRegular(path, npyFileLimit)
	if err != nil {
		return Array{}, fmt.Errorf("artifacts: %w", err)
	}
	defer f.Close()
	return ReadNPYNamed(f, path)
}

// DecodeNPY decodes the NPY file b. Unlike [ReadNPY] it also rejects
// bytes after the array's data.
func DecodeNPY(b []byte) (Array, error) {
	r := bytes.NewReader(b)
	a, err := readNPY(r, "", int64(len(b)), true)
	if err == nil && r.Len() != 0 {
		return Array{}, &FormatError{Offset: int64(len(b) - r.Len()),
			Msg: fmt.Sprintf("%d bytes after the array data", r.Len())}
	}
	return a, err
}

// knownSize returns how many bytes r has left, or -1 if r cannot tell.
func knownSize(r io.Reader) int64 {
	if f, ok := r.(*os.File); ok {
		// Pipes, devices and /proc files have no meaningful size.
		if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
			return -1
		}
	}
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case io.Seeker:
		cur, err := v.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		end, err := v.Seek(0, io.SeekEnd)
		if err != nil {
			return -1
		}
		if _, err := v.Seek(cur, io.SeekStart); err != nil || end < cur {
			return -1
		}
		return end - cur
	}
	return -1
}

// An npyReader reads an NPY stream and tracks the offset for errors.
type npyReader struct {
	r     io.Reader
	name  string
	off   int64 // bytes consumed
	avail int64 // bytes r had at the start, or -1 if unknown
}

func (d *npyReader) errorAt(off int64, format string, args ...any) error {
	return &FormatError{Name: d.name, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// readFull fills p; a short read is a truncation of what.
func (d *npyReader) readFull(p []byte, what string) error {
	n, err := io.ReadFull(d.r, p)
	d.off += int64(n)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return d.errorAt(d.off, "truncated %s", what)
	case err != nil:
		if d.name == "" {
			return fmt.Errorf("artifacts: read npy: %w", err)
		}
		return fmt.Errorf("artifacts: read %s: %w", d.name, err)
	}
	return nil
}

// left returns the bytes still unread, or -1 if unknown.
func (d *npyReader) left() int64 {
	if d.avail < 0 {
		return -1
	}
	return d.avail - d.off
}

// readNPY reads an array; avail is the stream's size if known (else -1),
// and prealloc says whether avail can be trusted to size the allocation.
func readNPY(r io.Reader, name string, avail int64, prealloc bool) (Array, error) {
	d := &npyReader{r: r, name: name, avail: avail}
	h, err := d.header()
	if err != nil {
		return Array{}, err
	}
	n, ok := shapeLen(h.shape)
	nb, ok2 := mulInt(n, h.dtype.Size())
	if !ok || !ok2 {
		return Array{}, d.errorAt(d.off, "shape %v is too large", h.shape)
	}
	if left := d.left(); left >= 0 && int64(nb) > left {
		return Array{}, d.errorAt(d.off, "shape %v needs %d data bytes, only %d present", h.shape, nb, left)
	}
	data, err := d.data(h, n, prealloc)
	if err != nil {
		return Array{}, err
	}
	return Array{DType: h.dtype, Shape: h.shape, Data: data}, nil
}

// header reads magic, version, header length and the header dict.
func (d *npyReader) header() (npyHeader, error) {
	var pre [12]byte
	if err := d.readFull(pre[:8], "magic"); err != nil {
		return npyHeader{}, err
	}
	if string(pre[:6]) != npyMagic {
		return npyHeader{}, d.errorAt(0, "not an NPY file (bad magic %q)", pre[:6])
	}
	var hlen int
	switch v := [2]byte{pre[6], pre[7]}; v {
	case [2]byte{1, 0}:
		if err := d.readFull(pre[8:10], "header length"); err != nil {
			return npyHeader{}, err
		}
		hlen = int(binary.LittleEndian.Uint16(pre[8:]))
	case [2]byte{2, 0}, [2]byte{3, 0}:
		if err := d.readFull(pre[8:12], "header length"); err != nil {
			return npyHeader{}, err
		}
		hlen = int(binary.LittleEndian.Uint32(pre[8:]))
	default:
		return npyHeader{}, d.errorAt(6, "unsupported NPY format version %d.%d", v[0], v[1])
	}
	if hlen > npyMaxHeader {
		return npyHeader{}, d.errorAt(8, "header of %d bytes exceeds the %d-byte limit", hlen, npyMaxHeader)
	}
	if left := d.left(); left >= 0 && int64(hlen) > left {
		return npyHeader{}, d.errorAt(d.off, "truncated header: %d bytes declared, %d present", hlen, left)
	}
	text := make([]byte, hlen)
	start := d.off
	if err := d.readFull(text, "header"); err != nil {
		return npyHeader{}, err
	}
	p := headerParser{s: text, off: start}
	h, err := p.parse()
	if fe, ok := err.(*FormatError); ok {
		fe.Name = d.name
	}
	return h, err
}

// data reads n elements of h.dtype and returns them in C order.
func (d *npyReader) data(h npyHeader, n int, prealloc bool) (any, error) {
	switch h.dtype {
	case Float32:
		return readElems[float32](d, h, n, prealloc)
	case Float64:
		return readElems[float64](d, h, n, prealloc)
	case Int32:
		return readElems[int32](d, h, n, prealloc)
	case Int64:
		return readElems[int64](d, h, n, prealloc)
	case Uint8:
		return readElems[uint8](d, h, n, prealloc)
	default:
		return readElems[bool](d, h, n, prealloc)
	}
}

func readElems[T element](d *npyReader, h npyHeader, n int, prealloc bool) ([]T, error) {
	size := h.dtype.Size()
	chunk := make([]byte, min(npyChunk, n*size))
	var out []T
	if prealloc {
		out = make([]T, n)
	} else {
		out = make([]T, 0, min(n, npyChunk/size))
	}
	start := d.off
	for done := 0; done < n; {
		k := min(n-done, npyChunk/size)
		if err := d.readFull(chunk[:k*size], "data"); err != nil {
			if fe, ok := err.(*FormatError); ok {
				fe.Msg = fmt.Sprintf("truncated data: want %d bytes, got %d", n*size, d.off-start)
			}
			return nil, err
		}
		if !prealloc {
			out = grow(out, done+k, n)
		}
		decode(out[done:done+k], chunk[:k*size], h.big)
		done += k
	}
	if h.fortran && len(h.shape) > 1 {
		out = fortranToC(out, h.shape)
	}
	return out, nil
}

// grow returns out extended to length m, at most n. It doubles the
// capacity when it must reallocate, so that all the copies together
// allocate at most twice the final size.
func grow[T element](out []T, m, n int) []T {
	if m > cap(out) {
		bigger := make([]T, len(out), min(n, max(2*cap(out), m)))
		copy(bigger, out)
		out = bigger
	}
	return out[:m]
}
