//go:build !amd64 || purego

package nn

func rowSumBias(x, pb []float32) float32            { return rowSumBiasGo(x, pb) }
func rowSumSqDev(x []float32, mean float32) float32 { return rowSumSqDevGo(x, mean) }
func rowNorm(y, x []float32, mean, rs float32)      { rowNormGo(y, x, mean, rs) }
func rowSumDot(g, y []float32) (sg, sgy float32)    { return rowSumDotGo(g, y) }
func rowLNBack(dx, g, y []float32, mg, c, rs float32, acc bool) {
	rowLNBackGo(dx, g, y, mg, c, rs, acc)
}
