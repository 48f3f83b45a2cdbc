package artifacts

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The canonical extension type of tensor columns, and the field metadata
// keys that carry it (Arrow columnar format, "Canonical Extension Types").
const (
	tensorExtName = "arrow.fixed_shape_tensor"
	extNameKey    = "ARROW:extension:name"
	extMetaKey    = "ARROW:extension:metadata"
)

// A Table is a set of named columns of equal length, written as one Arrow
// record batch.
type Table struct {
	Columns  []Column
	Metadata map[string]string // schema metadata; nil when read and empty
}

// A Column is one column of a [Table].
//
// Data is []float32, []float64, []int32, []int64, []string or []bool,
// one element per row, without nulls. A tensor column has a non-empty
// TensorShape with positive dimensions; its Data is a []float32 of
// rows×prod(TensorShape) values, row after row, each row in C order. It is
// written as FixedSizeList<float32>[prod(TensorShape)] with the canonical
// arrow.fixed_shape_tensor extension metadata, which pyarrow reads as a
// tensor array.
type Column struct {
	Name        string
	Data        any
	TensorShape []int
	Metadata    map[string]string // field metadata; nil when read and empty
}

// Rows returns the number of rows of c, or an error wrapping [ErrFormat]
// if its Data or TensorShape is invalid.
func (c Column) Rows() (int, error) {
	if len(c.TensorShape) > 0 {
		return c.tensorRows()
	}
	switch s := c.Data.(type) {
	case []float32:
		return len(s), nil
	case []float64:
		return len(s), nil
	case []int32:
		return len(s), nil
	case []int64:
		return len(s), nil
	case []string:
		return len(s), nil
	case []bool:
		return len(s), nil
	}
	return 0, fmt.Errorf("%w: column %q: unsupported data type %T", ErrFormat, c.Name, c.Data)
}

func (c Column) tensorRows() (int, error) {
	vals, ok := c.Data.([]float32)
	if !ok {
		return 0, fmt.Errorf("%w: tensor column %q holds %T, want []float32", ErrFormat, c.Name, c.Data)
	}
	size, ok := shapeLen(c.TensorShape)
	if !ok || size == 0 || size > 1<<31-1 || slices.Contains(c.TensorShape, 0) {
		return 0, fmt.Errorf("%w: tensor column %q: invalid shape %v", ErrFormat, c.Name, c.TensorShape)
	}
	if len(vals)%size != 0 {
		return 0, fmt.Errorf("%w: tensor column %q: %d values are not whole rows of shape %v",
			ErrFormat, c.Name, len(vals), c.TensorShape)
	}
	return len(vals) / size, nil
}

// Rows returns the number of rows of t (0 if it has no columns). It does
// not validate t.
func (t Table) Rows() int {
	if len(t.Columns) == 0 {
		return 0
	}
	n, _ := t.Columns[0].Rows()
	return n
}

// Validate reports whether t can be written: distinct non-empty column
// names, valid columns of equal length, and no column metadata under the
// reserved "ARROW:extension:" keys.
func (t Table) Validate() error {
	seen := make(map[string]bool, len(t.Columns))
	rows := -1
	for _, c := range t.Columns {
		if c.Name == "" || seen[c.Name] {
			return fmt.Errorf("%w: column name %q is empty or repeated", ErrFormat, c.Name)
		}
		seen[c.Name] = true
		n, err := c.Rows()
		if err != nil {
			return err
		}
		if rows >= 0 && n != rows {
			return fmt.Errorf("%w: column %q has %d rows, column %q has %d",
				ErrFormat, c.Name, n, t.Columns[0].Name, rows)
		}
		rows = n
		for k := range c.Metadata {
			if strings.HasPrefix(k, "ARROW:extension:") {
				return fmt.Errorf("%w: column %q: metadata key %q is reserved", ErrFormat, c.Name, k)
			}
		}
	}
	return nil
}

// WriteArrow writes t as an uncompressed Arrow IPC file (Feather v2) with
// one record batch. The bytes depend only on t: metadata keys are written
// in sorted order, and writing the same table twice gives the same bytes.
func WriteArrow(w io.Writer, t Table) error {
	if err := t.Validate(); err != nil {
		return err
	}
	mem := memory.NewGoAllocator()
	fields := make([]arrow.Field, len(t.Columns))
	cols := make([]arrow.Array, len(t.Columns))
	defer func() {
		for _, a := range cols {
			if a != nil {
				a.Release()
			}
		}
	}()
	for i, c := range t.Columns {
		fields[i], cols[i] = buildColumn(mem, c)
	}
	schema := arrow.NewSchema(fields, sortedMetadata(t.Metadata, nil))
	rec := array.NewRecordBatch(schema, cols, int64(t.Rows()))
	defer rec.Release()
	fw, err := ipc.NewFileWriter(w, ipc.WithSchema(schema), ipc.WithAllocator(mem))
	if err != nil {
		return fmt.Errorf("artifacts: write arrow: %w", err)
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return fmt.Errorf("artifacts: write arrow: %w", err)
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("artifacts: write arrow: %w", err)
	}
	return nil
}

// sortedMetadata returns m plus extra as Arrow metadata with sorted keys,
// or nil if both are empty.
func sortedMetadata(m map[string]string, extra map[string]string) *arrow.Metadata {
	all := make(map[string]string, len(m)+len(extra))
	for k, v := range m {
		all[k] = v
	}
	for k, v := range extra {
		all[k] = v
	}
	if len(all) == 0 {
		return nil
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range all {
			if !yield(k) {
				return
			}
		}
	})
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = all[k]
	}
	md := arrow.NewMetadata(keys, vals)
	return &md
}

// buildColumn converts a validated column to an Arrow field and array.
func buildColumn(mem memory.Allocator, c Column) (arrow.Field, arrow.Array) {
	var arr arrow.Array
	var extra map[string]string
	switch s := c.Data.(type) {
	case []float32:
		arr = build(array.NewFloat32Builder(mem), s)
		if len(c.TensorShape) > 0 {
			arr, extra = tensorArray(arr, c.TensorShape)
		}
	case []float64:
		arr = build(array.NewFloat64Builder(mem), s)
	case []int32:
		arr = build(array.NewInt32Builder(mem), s)
	case []int64:
		arr = build(array.NewInt64Builder(mem), s)
	case []string:
		arr = build(array.NewStringBuilder(mem), s)
	case []bool:
		arr = build(array.NewBooleanBuilder(mem), s)
	}
	var md arrow.Metadata
	if m := sortedMetadata(c.Metadata, extra); m != nil {
		md = *m
	}
	return arrow.Field{Name: c.Name, Type: arr.DataType(), Metadata: md}, arr
}

// A valuesBuilder is an arrow-go builder of a primitive or string array.
type valuesBuilder[T any] interface {
	AppendValues(v []T, valid []bool)
	NewArray() arrow.Array
	Release()
}

// build returns an array of the values v, all valid.
func build[T any](b valuesBuilder[T], v []T) arrow.Array {
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

// tensorArray wraps the flat values as FixedSizeList rows of prod(shape)
// and returns the extension metadata that marks them as tensors.
func tensorArray(values arrow.Array, shape []int) (arrow.Array, map[string]string) {
	size, _ := shapeLen(shape)
	typ := arrow.FixedSizeListOf(int32(size), arrow.PrimitiveTypes.Float32)
	data := array.NewData(typ, values.Len()/size, []*memory.Buffer{nil},
		[]arrow.ArrayData{values.Data()}, 0, 0)
	defer data.Release()
	defer values.Release()
	meta := []byte(`{"shape":[`)
	for i, d := range shape {
		if i > 0 {
			meta = append(meta, ',')
		}
		meta = strconv.AppendInt(meta, int64(d), 10)
	}
	meta = append(meta, "]}"...)
	return array.NewFixedSizeListData(data), map[string]string{
		extNameKey: tensorExtName,
		extMetaKey: string(meta),
	}
}

// tensorMeta is the JSON of the arrow.fixed_shape_tensor extension.
type tensorMeta struct {
	Shape       []int    `json:"shape"`
	DimNames    []string `json:"dim_names"`
	Permutation []int    `json:"permutation"`
}

// parseTensorMeta checks the extension metadata of a FixedSizeList of
// size n and returns the tensor shape.
func parseTensorMeta(s string, n int) ([]int, error) {
	var m tensorMeta
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("bad %s metadata: %v", tensorExtName, err)
	}
	size, ok := shapeLen(m.Shape)
	if !ok || len(m.Shape) == 0 || size != n {
		return nil, fmt.Errorf("tensor shape %v does not have %d elements", m.Shape, n)
	}
	for i, p := range m.Permutation {
		if p != i {
			return nil, fmt.Errorf("tensor permutation %v is not supported", m.Permutation)
		}
	}
	return m.Shape, nil
}
