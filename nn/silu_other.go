//go:build !amd64 || purego

package nn

// haveAVX512 is false off amd64; the portable kernels run.
var haveAVX512 = false

func biasSiLURow(y, d, b []float32) { biasSiLURowGo(y, d, b) }
