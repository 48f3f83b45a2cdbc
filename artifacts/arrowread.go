package artifacts

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// ReadArrow reads the Arrow IPC file r of size bytes into a Table. It
// accepts any number of record batches (concatenated) of columns of type
// float32, float64, int32, int64, utf8, large_utf8, bool and
// FixedSizeList<float32> (a tensor column: its shape comes from the
// arrow.fixed_shape_tensor metadata, or is [list size] without it).
// Columns with nulls, other types or other extension types are refused
// with a [*FormatError]. The extension keys are removed from the
// returned column metadata. The footer is verified before arrow-go reads
// it, and arrow-go's allocations are capped at 1 GiB plus 16 times size.
func ReadArrow(r io.ReaderAt, size int64) (Table, error) {
	return readArrow(r, size, "")
}

// ReadArrowFile reads the Arrow IPC file at path.
func ReadArrowFile(path string) (Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return Table{}, fmt.Errorf("artifacts: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Table{}, fmt.Errorf("artifacts: %w", err)
	}
	return readArrow(f, fi.Size(), path)
}

// DecodeArrow decodes the Arrow IPC file b.
func DecodeArrow(b []byte) (Table, error) {
	return readArrow(bytes.NewReader(b), int64(len(b)), "")
}

func readArrow(r io.ReaderAt, size int64, name string) (t Table, err error) {
	// arrow-go validates block bounds but may still panic on crafted
	// buffers; a malformed file must be an error, not a crash.
	defer func() {
		if p := recover(); p != nil {
			t, err = Table{}, &FormatError{Name: name, Msg: fmt.Sprintf("malformed Arrow file: %v", p)}
		}
	}()
	bad := func(format string, args ...any) error {
		return &FormatError{Name: name, Msg: fmt.Sprintf(format, args...)}
	}
	if err := checkArrowFooter(r, size); err != nil {
		return Table{}, bad("not an Arrow IPC file: %v", err)
	}
	mem := newBudgetAllocator(arrowBudget(size))
	fr, err := ipc.NewFileReader(io.NewSectionReader(r, 0, size), ipc.WithAllocator(mem))
	if err != nil {
		return Table{}, bad("not an Arrow IPC file: %v", err)
	}
	defer fr.Close()
	schema := fr.Schema()
	t.Metadata = metadataMap(schema.Metadata(), false)
	for _, f := range schema.Fields() {
		c, err := emptyColumn(f)
		if err != nil {
			return Table{}, bad("%v", err)
		}
		t.Columns = append(t.Columns, c)
	}
	for i := range fr.NumRecords() {
		rec, err := fr.RecordBatch(i)
		if err != nil {
			return Table{}, bad("record batch %d: %v", i, err)
		}
		for j := range t.Columns {
			if err := appendColumn(&t.Columns[j], rec.Column(j)); err != nil {
				return Table{}, bad("record batch %d: column %q: %v", i, t.Columns[j].Name, err)
			}
		}
	}
	if err := t.Validate(); err != nil {
		return Table{}, bad("%v", err)
	}
	return t, nil
}

// metadataMap returns md as a map, without the extension keys if strip,
// and nil if nothing is left.
func metadataMap(md arrow.Metadata, strip bool) map[string]string {
	m := make(map[string]string, md.Len())
	for i, k := range md.Keys() {
		m[k] = md.Values()[i]
	}
	if strip {
		maps.DeleteFunc(m, func(k, _ string) bool { return strings.HasPrefix(k, "ARROW:extension:") })
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// emptyColumn returns the column for field f with empty Data of its type.
func emptyColumn(f arrow.Field) (Column, error) {
	c := Column{Name: f.Name, Metadata: metadataMap(f.Metadata, true)}
	ext, hasExt := f.Metadata.GetValue(extNameKey)
	if hasExt && ext != tensorExtName {
		return c, fmt.Errorf("column %q: unsupported extension type %q", f.Name, ext)
	}
	switch f.Type.ID() {
	case arrow.FLOAT32:
		c.Data = []float32{}
	case arrow.FLOAT64:
		c.Data = []float64{}
	case arrow.INT32:
		c.Data = []int32{}
	case arrow.INT64:
		c.Data = []int64{}
	case arrow.STRING, arrow.LARGE_STRING:
		c.Data = []string{}
	case arrow.BOOL:
		c.Data = []bool{}
	case arrow.FIXED_SIZE_LIST:
		fsl := f.Type.(*arrow.FixedSizeListType)
		n := int(fsl.Len())
		if fsl.Elem().ID() != arrow.FLOAT32 || n <= 0 {
			return c, fmt.Errorf("column %q: unsupported type %s", f.Name, f.Type)
		}
		c.Data, c.TensorShape = []float32{}, []int{n}
		if meta, ok := f.Metadata.GetValue(extMetaKey); ok && hasExt {
			shape, err := parseTensorMeta(meta, n)
			if err != nil {
				return c, fmt.Errorf("column %q: %v", f.Name, err)
			}
			c.TensorShape = shape
		}
		return c, nil
	default:
		return c, fmt.Errorf("column %q: unsupported type %s", f.Name, f.Type)
	}
	if hasExt {
		return c, fmt.Errorf("column %q: %s needs a FixedSizeList<float32>, not %s", f.Name, tensorExtName, f.Type)
	}
	return c, nil
}

// appendColumn appends the values of arr, which has c's type, to c.Data.
func appendColumn(c *Column, arr arrow.Array) error {
	if n := arr.NullN(); n > 0 {
		return fmt.Errorf("%d nulls", n)
	}
	if arr.Len() == 0 {
		return nil // its buffers may be absent altogether
	}
	switch a := arr.(type) {
	case *array.Float32:
		c.Data = append(c.Data.([]float32), a.Float32Values()...)
	case *array.Float64:
		c.Data = append(c.Data.([]float64), a.Float64Values()...)
	case *array.Int32:
		c.Data = append(c.Data.([]int32), a.Int32Values()...)
	case *array.Int64:
		c.Data = append(c.Data.([]int64), a.Int64Values()...)
	case *array.String:
		c.Data = appendStrings(c.Data.([]string), a.ValueOffsets(), a.ValueBytes())
	case *array.LargeString:
		c.Data = appendStrings(c.Data.([]string), a.ValueOffsets(), a.ValueBytes())
	case *array.Boolean:
		s := c.Data.([]bool)
		for i := range a.Len() {
			s = append(s, a.Value(i))
		}
		c.Data = s
	case *array.FixedSizeList:
		vals, ok := a.ListValues().(*array.Float32)
		if !ok || vals.NullN() > 0 {
			return fmt.Errorf("tensor values are not null-free float32")
		}
		start, _ := a.ValueOffsets(0)
		_, end := a.ValueOffsets(a.Len() - 1)
		c.Data = append(c.Data.([]float32), vals.Float32Values()[start:end]...)
	default:
		return fmt.Errorf("unexpected array type %s", arr.DataType())
	}
	return nil
}

// appendStrings appends the strings that offsets delimit in data (the
// bytes from offsets[0] on). It copies data once, into one string that
// the returned strings share, rather than once per value.
func appendStrings[O int32 | int64](dst []string, offsets []O, data []byte) []string {
	if len(offsets) == 0 {
		return dst
	}
	all, base := string(data), offsets[0]
	for i := range len(offsets) - 1 {
		dst = append(dst, all[offsets[i]-base:offsets[i+1]-base])
	}
	return dst
}
