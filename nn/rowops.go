package nn

// Portable row primitives of the layer norm. rowops_amd64.go dispatches to
// AVX-512 versions of the same; results differ only by summation order and
// fused multiply-adds.

func rowSumBiasGo(x, pb []float32) float32 {
	if pb != nil {
		pb = pb[:len(x)]
		for j := range x {
			x[j] += pb[j]
		}
	}
	return sum4(x)
}

func rowSumSqDevGo(x []float32, mean float32) float32 {
	var s0, s1 float32
	j := 0
	for ; j+1 < len(x); j += 2 {
		a, b := x[j]-mean, x[j+1]-mean
		s0 += a * a
		s1 += b * b
	}
	if j < len(x) {
		a := x[j] - mean
		s0 += a * a
	}
	return s0 + s1
}

func rowNormGo(y, x []float32, mean, rs float32) {
	y = y[:len(x)]
	for j, v := range x {
		y[j] = (v - mean) * rs
	}
}

func rowSumDotGo(g, y []float32) (sg, sgy float32) {
	y = y[:len(g)]
	var sg0, sg1, sy0, sy1 float32
	j := 0
	for ; j+1 < len(g); j += 2 {
		sg0 += g[j]
		sg1 += g[j+1]
		sy0 += g[j] * y[j]
		sy1 += g[j+1] * y[j+1]
	}
	if j < len(g) {
		sg0 += g[j]
		sy0 += g[j] * y[j]
	}
	return sg0 + sg1, sy0 + sy1
}

func rowLNBackGo(dx, g, y []float32, mg, c, rs float32, acc bool) {
	dx, y = dx[:len(g)], y[:len(g)]
	if acc {
		for j := range g {
			dx[j] += rs * (g[j] - mg - y[j]*c)
		}
		return
	}
	for j := range g {
		dx[j] = rs * (g[j] - mg - y[j]*c)
	}
}
