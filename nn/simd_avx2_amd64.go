//go:build !purego

package nn

import "golang.org/x/sys/cpu"

// haveAVX2 selects the AVX2 kernels where AVX-512 is missing (haveAVX512
// false); tests switch both to compare the paths. The kernels need FMA
// too.
var haveAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func sumBiasAVX2(x, pb *float32, n int) float32

//go:noescape
func sumSqDevAVX2(x *float32, n int, mean float32) float32

//go:noescape
func normAVX2(y, x *float32, n int, mean, rs float32)

//go:noescape
func sumDotAVX2(gr, y *float32, n int) (sg, sgy float32)

//go:noescape
func lnBackAVX2(dst, gr, y *float32, n int, mg, c, rs float32, acc bool)

//go:noescape
func biasSiLUAVX2(y, d, b *float32, n int)

//go:noescape
func addToAVX2(dst, a *float32, n int)

//go:noescape
func add3AVX2(dst, a, b *float32, n int)

//go:noescape
func mulAccAVX2(dst, a, b, acc *float32, n int)

//go:noescape
func adamwAVX2(p, gr, m, v, g2 *float32, n int, k *adamScalars)
