//go:build !amd64 || purego

package kolmogorov

func fluxRow(f, cm, c0, c1, c2, a []float64, lam float64) { fluxRowGo(f, cm, c0, c1, c2, a, lam) }

func updateRow(di, cm, cpl, cp, fx, fp, fy, force []float64, lam, dt, nu2, alpha float64) {
	updateRowGo(di, cm, cpl, cp, fx, fp, fy, force, lam, dt, nu2, alpha)
}
