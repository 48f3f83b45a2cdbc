package artifacts

import (
	"fmt"
	"math/bits"
)

// A DType is the element type of an [Array].
type DType uint8

// The element types that the codecs read and write. The zero DType is
// invalid.
const (
	Float32 DType = iota + 1 // NPY '<f4', Go float32
	Float64                  // NPY '<f8', Go float64
	Int32                    // NPY '<i4', Go int32
	Int64                    // NPY '<i8', Go int64
	Uint8                    // NPY '|u1', Go uint8
	Bool                     // NPY '|b1', Go bool (one byte, 0 or 1)
)

var dtypeInfo = [...]struct {
	name  string
	code  string // NPY kind and size, after the byte-order character
	size  int
	multi bool // more than one byte: has a byte order
}{
	Float32: {"float32", "f4", 4, true},
	Float64: {"float64", "f8", 8, true},
	Int32:   {"int32", "i4", 4, true},
	Int64:   {"int64", "i8", 8, true},
	Uint8:   {"uint8", "u1", 1, false},
	Bool:    {"bool", "b1", 1, false},
}

// Valid reports whether dt is one of the declared element types.
func (dt DType) Valid() bool { return dt >= Float32 && dt <= Bool }

// String returns the numpy name of dt ("float32", …).
func (dt DType) String() string {
	if !dt.Valid() {
		return fmt.Sprintf("DType(%d)", uint8(dt))
	}
	return dtypeInfo[dt].name
}

// Size returns the size of one element in bytes (0 for an invalid DType).
func (dt DType) Size() int {
	if !dt.Valid() {
		return 0
	}
	return dtypeInfo[dt].size
}

// Descr returns the NPY descr that numpy.save writes for dt on a
// little-endian machine: '<f4', '<f8', '<i4', '<i8', '|u1' or '|b1'.
func (dt DType) Descr() string {
	if !dt.Valid() {
		return ""
	}
	if dtypeInfo[dt].multi {
		return "<" + dtypeInfo[dt].code
	}
	return "|" + dtypeInfo[dt].code
}

// ParseDType returns the DType named by a numpy name such as "float32".
func ParseDType(name string) (DType, error) {
	for dt := Float32; dt <= Bool; dt++ {
		if dtypeInfo[dt].name == name {
			return dt, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown dtype %q", ErrFormat, name)
}

// An Array is an n-dimensional array in C (row-major) order. Data is the
// Go slice matching DType: []float32, []float64, []int32, []int64, []uint8
// or []bool, with exactly prod(Shape) elements (1 for a 0-d array, whose
// Shape is empty). Arrays returned by the readers own their slices.
type Array struct {
	DType DType
	Shape []int
	Data  any
}

// element is the set of Go element types an Array can hold.
type element interface {
	float32 | float64 | int32 | int64 | uint8 | bool
}

func newArray[T element](dt DType, shape []int, data []T) Array {
	n, ok := shapeLen(shape)
	if !ok || n != len(data) {
		panic(fmt.Sprintf("artifacts: New%s: shape %v does not hold %d elements", dt, shape, len(data)))
	}
	return Array{DType: dt, Shape: append([]int{}, shape...), Data: data}
}

// NewFloat32 returns a float32 Array over data (not copied); shape is
// copied. It panics if shape has a negative dimension or does not hold
// len(data) elements. The other NewX functions behave alike.
func NewFloat32(shape []int, data []float32) Array { return newArray(Float32, shape, data) }

// NewFloat64 returns a float64 Array over data. See [NewFloat32].
func NewFloat64(shape []int, data []float64) Array { return newArray(Float64, shape, data) }

// NewInt32 returns an int32 Array over data. See [NewFloat32].
func NewInt32(shape []int, data []int32) Array { return newArray(Int32, shape, data) }

// NewInt64 returns an int64 Array over data. See [NewFloat32].
func NewInt64(shape []int, data []int64) Array { return newArray(Int64, shape, data) }

// NewUint8 returns a uint8 Array over data. See [NewFloat32].
func NewUint8(shape []int, data []uint8) Array { return newArray(Uint8, shape, data) }

// NewBool returns a bool Array over data. See [NewFloat32].
func NewBool(shape []int, data []bool) Array { return newArray(Bool, shape, data) }

func elems[T element](a Array, want DType) ([]T, error) {
	if a.DType != want {
		return nil, &DTypeError{Got: a.DType, Want: want}
	}
	s, ok := a.Data.([]T)
	if !ok {
		return nil, fmt.Errorf("%w: %s array holds %T", ErrFormat, a.DType, a.Data)
	}
	return s, nil
}

// Float32 returns the elements of a float32 array, or a [*DTypeError].
func (a Array) Float32() ([]float32, error) { return elems[float32](a, Float32) }

// Float64 returns the elements of a float64 array, or a [*DTypeError].
func (a Array) Float64() ([]float64, error) { return elems[float64](a, Float64) }

// Int32 returns the elements of an int32 array, or a [*DTypeError].
func (a Array) Int32() ([]int32, error) { return elems[int32](a, Int32) }

// Int64 returns the elements of an int64 array, or a [*DTypeError].
func (a Array) Int64() ([]int64, error) { return elems[int64](a, Int64) }

// Uint8 returns the elements of a uint8 array, or a [*DTypeError].
func (a Array) Uint8() ([]uint8, error) { return elems[uint8](a, Uint8) }

// Bool returns the elements of a bool array, or a [*DTypeError].
func (a Array) Bool() ([]bool, error) { return elems[bool](a, Bool) }

// Len returns the number of elements that a.Shape describes (1 for a 0-d
// array), or -1 if a dimension is negative or the count overflows int.
func (a Array) Len() int {
	n, ok := shapeLen(a.Shape)
	if !ok {
		return -1
	}
	return n
}

// Validate reports whether a is well formed: a valid DType, a shape with
// non-negative dimensions whose byte size fits in an int, and Data of the
// matching slice type and length. The error unwraps to [ErrFormat].
func (a Array) Validate() error {
	if !a.DType.Valid() {
		return fmt.Errorf("%w: array has invalid dtype %d", ErrFormat, uint8(a.DType))
	}
	n, ok := shapeLen(a.Shape)
	if !ok {
		return fmt.Errorf("%w: array shape %v is negative or too large", ErrFormat, a.Shape)
	}
	if _, ok := mulInt(n, a.DType.Size()); !ok {
		return fmt.Errorf("%w: array shape %v is too large", ErrFormat, a.Shape)
	}
	got, ok := dataLen(a.DType, a.Data)
	if !ok {
		return fmt.Errorf("%w: %s array holds %T", ErrFormat, a.DType, a.Data)
	}
	if got != n {
		return fmt.Errorf("%w: array shape %v holds %d elements, data has %d", ErrFormat, a.Shape, n, got)
	}
	return nil
}

// dataLen returns len(data) if data is the slice type of dt.
func dataLen(dt DType, data any) (int, bool) {
	switch s := data.(type) {
	case []float32:
		return len(s), dt == Float32
	case []float64:
		return len(s), dt == Float64
	case []int32:
		return len(s), dt == Int32
	case []int64:
		return len(s), dt == Int64
	case []uint8:
		return len(s), dt == Uint8
	case []bool:
		return len(s), dt == Bool
	}
	return 0, false
}

// shapeLen returns the product of shape, and false if a dimension is
// negative or the product overflows int. A zero dimension makes the
// product 0 but the other dimensions are still checked.
func shapeLen(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
	}
	zero := false
	for _, d := range shape {
		if d == 0 {
			zero = true
			continue
		}
		var ok bool
		if n, ok = mulInt(n, d); !ok {
			return 0, false
		}
	}
	if zero {
		return 0, true
	}
	return n, true
}

// mulInt returns a*b for non-negative a and b, and false on overflow.
func mulInt(a, b int) (int, bool) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > uint64(maxInt) {
		return 0, false
	}
	return int(lo), true
}

const maxInt = int(^uint(0) >> 1)
