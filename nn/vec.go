package nn

// Portable element-wise primitives; vec_amd64.go has AVX-512 versions that
// give identical results (each value is one float32 operation).

func vAddToGo(dst, a []float32) {
	dst = dst[:len(a)]
	for i, v := range a {
		dst[i] += v
	}
}

func vAdd3Go(dst, a, b []float32) {
	dst, b = dst[:len(a)], b[:len(a)]
	for i, v := range a {
		dst[i] = v + b[i]
	}
}

func vMulAccGo(dst, a, b, acc []float32) {
	dst, b = dst[:len(a)], b[:len(a)]
	for i, v := range a {
		dst[i] = v * b[i]
	}
	if acc != nil {
		vAddToGo(acc, dst)
	}
}
