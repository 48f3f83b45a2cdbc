// Package floats converts between float32 arrays, in which networks,
// samples and stored artifacts live, and float64 ones, in which dynamics,
// filters and metrics compute.
package floats

// To32 returns x rounded to float32.
func To32(x []float64) []float32 {
	out := make([]float32, len(x))
	Copy32(out, x)
	return out
}

// To64 returns x widened to float64.
func To64(x []float32) []float64 {
	out := make([]float64, len(x))
	Copy64(out, x)
	return out
}

// Copy32 writes x rounded to float32 into dst; it panics unless the
// lengths agree.
func Copy32(dst []float32, x []float64) {
	if len(dst) != len(x) {
		panic("floats: Copy32: lengths differ")
	}
	for i, v := range x {
		dst[i] = float32(v)
	}
}

// Copy64 writes x widened to float64 into dst; it panics unless the
// lengths agree.
func Copy64(dst []float64, x []float32) {
	if len(dst) != len(x) {
		panic("floats: Copy64: lengths differ")
	}
	for i, v := range x {
		dst[i] = float64(v)
	}
}
