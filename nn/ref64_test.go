package nn

import "math"

// Float64 mirrors of the ops, written directly from their definitions.
// They are the oracles twice over: their VJPs are checked against central
// differences, and the float32 ops are checked against them.

func linear64(x, w, b []float64, rows, in, out int) []float64 {
	y := make([]float64, rows*out)
	for r := range rows {
		for o := range out {
			s := b[o]
			for i := range in {
				s += x[r*in+i] * w[o*in+i]
			}
			y[r*out+o] = s
		}
	}
	return y
}

// linear64VJP returns dx, dW, db for cotangent g (rows, out).
func linear64VJP(x, w, g []float64, rows, in, out int) (dx, dw, db []float64) {
	dx, dw, db = make([]float64, rows*in), make([]float64, out*in), make([]float64, out)
	for r := range rows {
		for o := range out {
			gv := g[r*out+o]
			db[o] += gv
			for i := range in {
				dx[r*in+i] += gv * w[o*in+i]
				dw[o*in+i] += gv * x[r*in+i]
			}
		}
	}
	return dx, dw, db
}

func silu64(z float64) float64 { return z / (1 + math.Exp(-z)) }

func dsilu64(z float64) float64 {
	s := 1 / (1 + math.Exp(-z))
	return s * (1 + z*(1-s))
}

func mapSlice(v []float64, f func(float64) float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = f(x)
	}
	return out
}

func mul64(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] * b[i]
	}
	return out
}

func add64(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] + b[i]
	}
	return out
}

// ln64 is the non-affine unbiased layer norm over rows of cols.
func ln64(x []float64, rows, cols int) []float64 {
	y := make([]float64, len(x))
	for r := range rows {
		row := x[r*cols : (r+1)*cols]
		var m, v float64
		for _, a := range row {
			m += a
		}
		m /= float64(cols)
		for _, a := range row {
			v += (a - m) * (a - m)
		}
		v /= float64(cols - 1)
		for j, a := range row {
			y[r*cols+j] = (a - m) / math.Sqrt(v+1e-5)
		}
	}
	return y
}

// ln64VJP differentiates ln64 through its full Jacobian, built from
// dŷ_i/dx_j = r(δ_ij − 1/N) − r·ŷ_i·ŷ_j/(N − 1): an independent form of the
// closed expression the float32 kernel uses.
func ln64VJP(x, g []float64, rows, cols int) []float64 {
	y := ln64(x, rows, cols)
	dx := make([]float64, len(x))
	for r := range rows {
		row := x[r*cols : (r+1)*cols]
		var m, v float64
		for _, a := range row {
			m += a
		}
		m /= float64(cols)
		for _, a := range row {
			v += (a - m) * (a - m)
		}
		v /= float64(cols - 1)
		rs := 1 / math.Sqrt(v+1e-5)
		for j := range cols {
			var s float64
			for i := range cols {
				jac := -rs * y[r*cols+i] * y[r*cols+j] / float64(cols-1)
				jac -= rs / float64(cols)
				if i == j {
					jac += rs
				}
				s += g[r*cols+i] * jac
			}
			dx[r*cols+j] = s
		}
	}
	return dx
}

func timeFeat64(t []float64, nf int) []float64 {
	y := make([]float64, len(t)*2*nf)
	for r, tv := range t {
		for j := 1; j <= nf; j++ {
			y[r*2*nf+j-1] = math.Cos(math.Pi * float64(j) * tv)
			y[r*2*nf+nf+j-1] = math.Sin(math.Pi * float64(j) * tv)
		}
	}
	return y
}

func concat64(a, b []float64, rows, ca, cb int) []float64 {
	y := make([]float64, 0, rows*(ca+cb))
	for r := range rows {
		y = append(y, a[r*ca:(r+1)*ca]...)
		y = append(y, b[r*cb:(r+1)*cb]...)
	}
	return y
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
