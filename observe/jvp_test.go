package observe

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestJVP checks each operator's Jacobian–vector product two ways: against
// central differences of Apply64 (h = 1e-6: truncation ~1e-12 for these
// smooth maps, rounding ~1e-10), and against its VJP through the identity
// ⟨J dx, g⟩ = ⟨dx, Jᵀ g⟩, which must hold to round-off; float32 agrees with
// float64 to float32 precision.
func TestJVP(t *testing.T) {
	sel, _ := NewSelect(5, 3, []int{0, 2}, []int{0, 3, 4})
	sat, _ := NewSelect(5, 3, []int{1}, []int{1, 2})
	norm, _ := NewNorm(5, 3, []int{0, 4})
	rng := rand.New(rand.NewPCG(8, 9))
	for _, op := range []Linearizable{sel, NewSaturate(sat), norm} {
		l, d := op.Shape()
		m := op.Outputs()
		x, dx, g := make([]float64, l*d), make([]float64, l*d), make([]float64, m)
		for i := range x {
			x[i], dx[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		for i := range g {
			g[i] = rng.NormFloat64()
		}
		jv := make([]float64, m)
		op.JVP64(jv, x, dx)
		const h = 1e-6
		xp, xm, yp, ym := make([]float64, len(x)), make([]float64, len(x)), make([]float64, m), make([]float64, m)
		for i := range x {
			xp[i], xm[i] = x[i]+h*dx[i], x[i]-h*dx[i]
		}
		op.Apply64(yp, xp)
		op.Apply64(ym, xm)
		var lhs, rhs float64
		for j := range jv {
			fd := (yp[j] - ym[j]) / (2 * h)
			if math.Abs(fd-jv[j]) > 1e-7*math.Max(1, math.Abs(fd)) {
				t.Errorf("%s: JVP[%d] = %.10g, central difference %.10g", op.Describe().Kind, j, jv[j], fd)
			}
			lhs += jv[j] * g[j]
		}
		vjp := make([]float64, len(x))
		op.VJP64(vjp, x, g)
		for i := range vjp {
			rhs += vjp[i] * dx[i]
		}
		if math.Abs(lhs-rhs) > 1e-12*math.Max(1, math.Abs(lhs)) {
			t.Errorf("%s: <J dx, g> = %.15g, <dx, Jᵀg> = %.15g", op.Describe().Kind, lhs, rhs)
		}
		x32, dx32, jv32 := make([]float32, len(x)), make([]float32, len(x)), make([]float32, m)
		for i := range x {
			x32[i], dx32[i] = float32(x[i]), float32(dx[i])
		}
		op.JVP32(jv32, x32, dx32)
		for j := range jv {
			if math.Abs(float64(jv32[j])-jv[j]) > 1e-5*math.Max(1, math.Abs(jv[j])) {
				t.Errorf("%s: JVP32[%d] = %g, JVP64 %g", op.Describe().Kind, j, jv32[j], jv[j])
			}
		}
	}
}
