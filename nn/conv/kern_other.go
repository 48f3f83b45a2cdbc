//go:build !amd64 || purego

package conv

// Without assembly every path is pure Go.
const (
	hasAVX512 = false
	hasAVX2   = false
)

var (
	avx512Arch = goArch
	avx2Arch   = goArch
)
