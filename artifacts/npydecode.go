package artifacts

import (
	"encoding/binary"
	"math"
)

// decode converts len(dst) elements from src, in big- or little-endian
// order, into dst, a []float32, []float64, []int32, []int64, []uint8 or
// []bool. Bytes other than 0 decode as true, as numpy reads them.
func decode(dst any, src []byte, big bool) {
	switch s := dst.(type) {
	case []float32:
		if big {
			for i := range s {
				s[i] = math.Float32frombits(binary.BigEndian.Uint32(src[4*i:]))
			}
		} else {
			for i := range s {
				s[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
			}
		}
	case []float64:
		if big {
			for i := range s {
				s[i] = math.Float64frombits(binary.BigEndian.Uint64(src[8*i:]))
			}
		} else {
			for i := range s {
				s[i] = math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:]))
			}
		}
	case []int32:
		if big {
			for i := range s {
				s[i] = int32(binary.BigEndian.Uint32(src[4*i:]))
			}
		} else {
			for i := range s {
				s[i] = int32(binary.LittleEndian.Uint32(src[4*i:]))
			}
		}
	case []int64:
		if big {
			for i := range s {
				s[i] = int64(binary.BigEndian.Uint64(src[8*i:]))
			}
		} else {
			for i := range s {
				s[i] = int64(binary.LittleEndian.Uint64(src[8*i:]))
			}
		}
	case []uint8:
		copy(s, src)
	case []bool:
		for i := range s {
			s[i] = src[i] != 0
		}
	default:
		panic("artifacts: decode: unsupported data type")
	}
}

// fortranToC returns the elements of src, an array of the given shape in
// Fortran (column-major) order, in C (row-major) order.
func fortranToC[T element](src []T, shape []int) []T {
	dst := make([]T, len(src))
	if len(src) == 0 {
		return dst
	}
	// stride[k] is the step in src for a unit step along dimension k.
	stride := make([]int, len(shape))
	stride[0] = 1
	for k := 1; k < len(shape); k++ {
		stride[k] = stride[k-1] * shape[k-1]
	}
	idx := make([]int, len(shape))
	at := 0
	for i := range dst {
		dst[i] = src[at]
		for k := len(shape) - 1; k >= 0; k-- {
			idx[k]++
			at += stride[k]
			if idx[k] < shape[k] {
				break
			}
			at -= stride[k] * shape[k]
			idx[k] = 0
		}
	}
	return dst
}
