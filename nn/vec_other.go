//go:build !amd64 || purego

package nn

func vAddTo(dst, a []float32)          { vAddToGo(dst, a) }
func vAdd3(dst, a, b []float32)        { vAdd3Go(dst, a, b) }
func vMulAcc(dst, a, b, acc []float32) { vMulAccGo(dst, a, b, acc) }
