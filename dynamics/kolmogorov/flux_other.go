//go:build !amd64 || purego

package kolmogorov

func fluxRow(f, cm, c0, c1, c2, a []float64, lam float64) { fluxRowGo(f, cm, c0, c1, c2, a, lam) }
