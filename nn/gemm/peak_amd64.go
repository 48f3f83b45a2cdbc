package gemm

// peakLoop returns path p's FMA loop and the FLOP of one iteration, or
// nil for the pure-Go path.
func peakLoop(p Path) (func(int), float64) {
	if p == PathAuto {
		p = BestPath()
	}
	switch {
	case p == PathAVX512 && hasAVX512:
		return fmaPeakZ, 16 * 16 * 2
	case p == PathAVX2 && hasAVX2:
		return fmaPeakY, 12 * 8 * 2
	}
	return nil, 0
}
