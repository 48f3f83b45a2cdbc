//go:build !amd64

package gemm

// Only amd64 has assembly kernels; elsewhere every path is pure Go.
const (
	hasAVX512 = false
	hasAVX2   = false
)

// The assembly arches do not exist off amd64; archFor never returns them
// because Supported is false.
var (
	avx512Arch = genericArch
	avx2Arch   = genericArch
)
