package artifacts

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// arrow-go trusts the vector lengths in an IPC file's footer and sizes
// slices by them before reading (a 2 kB file can ask for 300 GB, and an
// out-of-memory crash cannot be recovered), and it sizes decompression
// buffers by a length stored in the body. checkArrowFooter bounds the
// first before arrow-go sees the file; budgetAllocator bounds the second.

// errFooter marks a footer that would make arrow-go allocate without bound.
var errFooter = errors.New("malformed footer")

// checkArrowFooter verifies the flatbuffer of the file footer: every table,
// vector and string it reaches lies inside the footer, and fields nest at
// most one level (all the types ReadArrow accepts need). It returns nil
// when the file is too short or lacks the closing magic: arrow-go reports
// those itself.
func checkArrowFooter(r io.ReaderAt, size int64) error {
	const tail = 4 + 6 // footer length, "ARROW1"
	if size < tail {
		return nil
	}
	var end [tail]byte
	if _, err := r.ReadAt(end[:], size-tail); err != nil || string(end[4:]) != "ARROW1" {
		return nil
	}
	n := int64(binary.LittleEndian.Uint32(end[:4]))
	if n <= 0 || n > size-tail {
		return nil
	}
	b := make([]byte, n)
	if _, err := r.ReadAt(b, size-tail-n); err != nil {
		return nil
	}
	f := fbuf(b)
	root, ok := f.indirect(0)
	if !ok {
		return errFooter
	}
	return f.footer(root)
}

// fbuf reads a flatbuffer, checking every position it computes.
type fbuf []byte

func (f fbuf) u32(pos int64) (int64, bool) {
	if pos < 0 || pos+4 > int64(len(f)) {
		return 0, false
	}
	return int64(binary.LittleEndian.Uint32(f[pos:])), true
}

func (f fbuf) u16(pos int64) (int64, bool) {
	if pos < 0 || pos+2 > int64(len(f)) {
		return 0, false
	}
	return int64(binary.LittleEndian.Uint16(f[pos:])), true
}

// indirect follows the unsigned offset stored at pos.
func (f fbuf) indirect(pos int64) (int64, bool) {
	off, ok := f.u32(pos)
	if !ok || pos+off+4 > int64(len(f)) {
		return 0, false
	}
	return pos + off, true
}

// slot returns the position of field slot of the table at t; 0 if absent.
func (f fbuf) slot(t int64, slot int) (int64, error) {
	soff, ok := f.u32(t)
	if !ok {
		return 0, errFooter
	}
	vt := t - int64(int32(uint32(soff)))
	vtSize, ok1 := f.u16(vt)
	tSize, ok2 := f.u16(vt + 2)
	if !ok1 || !ok2 || vtSize < 4 || vt+vtSize > int64(len(f)) || t+tSize > int64(len(f)) {
		return 0, errFooter
	}
	entry := int64(4 + 2*slot)
	if entry+2 > vtSize {
		return 0, nil
	}
	off, _ := f.u16(vt + entry)
	if off == 0 {
		return 0, nil
	}
	if off+4 > tSize {
		return 0, errFooter
	}
	return t + off, nil
}

// vector returns the start and length of the vector (of elements of size
// elem) that field slot of table t refers to; n is 0 if absent.
func (f fbuf) vector(t int64, slot int, elem int64) (start, n int64, err error) {
	p, err := f.slot(t, slot)
	if err != nil || p == 0 {
		return 0, 0, err
	}
	v, ok := f.indirect(p)
	if !ok {
		return 0, 0, errFooter
	}
	n, _ = f.u32(v)
	if v+4+n*elem > int64(len(f)) {
		return 0, 0, errFooter
	}
	return v + 4, n, nil
}

// tables calls fn on each table of the vector of offsets at slot of t.
func (f fbuf) tables(t int64, slot int, fn func(int64) error) error {
	start, n, err := f.vector(t, slot, 4)
	if err != nil {
		return err
	}
	for i := range n {
		c, ok := f.indirect(start + 4*i)
		if !ok {
			return errFooter
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

func (f fbuf) footer(t int64) error {
	for _, s := range []int{2, 3} { // dictionaries, recordBatches: 24-byte Blocks
		if _, _, err := f.vector(t, s, 24); err != nil {
			return err
		}
	}
	if err := f.tables(t, 4, f.keyValue); err != nil {
		return err
	}
	p, err := f.slot(t, 1) // schema
	if err != nil || p == 0 {
		return err
	}
	schema, ok := f.indirect(p)
	if !ok {
		return errFooter
	}
	if err := f.tables(schema, 1, func(c int64) error { return f.field(c, 0) }); err != nil {
		return err
	}
	if _, _, err := f.vector(schema, 3, 8); err != nil { // features
		return err
	}
	return f.tables(schema, 2, f.keyValue)
}

func (f fbuf) field(t int64, depth int) error {
	if err := f.str(t, 0); err != nil {
		return err
	}
	_, n, err := f.vector(t, 5, 4)
	if err != nil {
		return err
	}
	if n > 0 && depth > 0 {
		return fmt.Errorf("%w: columns nested more than one level", errFooter)
	}
	if err := f.tables(t, 5, func(c int64) error { return f.field(c, depth+1) }); err != nil {
		return err
	}
	return f.tables(t, 6, f.keyValue)
}

func (f fbuf) keyValue(t int64) error {
	if err := f.str(t, 0); err != nil {
		return err
	}
	return f.str(t, 1)
}

// str checks the string at slot of table t.
func (f fbuf) str(t int64, slot int) error {
	_, _, err := f.vector(t, slot, 1)
	return err
}

// A budgetAllocator hands out at most limit bytes in all; past that it
// panics, which readArrow recovers into a FormatError.
type budgetAllocator struct {
	mem  memory.Allocator
	left atomic.Int64
}

func newBudgetAllocator(limit int64) *budgetAllocator {
	a := &budgetAllocator{mem: memory.NewGoAllocator()}
	a.left.Store(limit)
	return a
}

func (a *budgetAllocator) take(n int) {
	if n > 0 && a.left.Add(-int64(n)) < 0 {
		panic(fmt.Sprintf("buffers larger than the file allows (%d bytes asked)", n))
	}
}

func (a *budgetAllocator) Allocate(n int) []byte {
	a.take(n)
	return a.mem.Allocate(n)
}

func (a *budgetAllocator) Reallocate(n int, b []byte) []byte {
	a.take(n - len(b))
	return a.mem.Reallocate(n, b)
}

func (a *budgetAllocator) Free(b []byte) { a.mem.Free(b) }

// arrowBudget is the allocation budget for reading a file of size bytes:
// uncompressed files need about their size; the slack admits compressed
// ones with ordinary ratios.
func arrowBudget(size int64) int64 { return 1<<30 + 16*size }
