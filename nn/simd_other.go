//go:build !amd64 || purego

package nn

// haveAVX2 is false off amd64; the portable kernels run.
var haveAVX2 = false
