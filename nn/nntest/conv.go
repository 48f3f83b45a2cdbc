package nntest

// Float64 mirrors of the image ops of the U-Net, written directly from
// their definitions on NHWC arrays (index (n, i, j, c) at ((n·H + i)·W +
// j)·C + c).

// Conv64 is a 3×3 convolution with circular padding and stride s.
func Conv64(x, w, b []float64, n, h, wd, cin, cout, s int) []float64 {
	ho, wo := h/s, wd/s
	y := make([]float64, n*ho*wo*cout)
	for im := range n {
		for i := range ho {
			for j := range wo {
				for o := range cout {
					v := b[o]
					for ky := range 3 {
						for kx := range 3 {
							yi, xj := (s*i+ky-1+h)%h, (s*j+kx-1+wd)%wd
							for c := range cin {
								v += w[((o*cin+c)*3+ky)*3+kx] * x[((im*h+yi)*wd+xj)*cin+c]
							}
						}
					}
					y[((im*ho+i)*wo+j)*cout+o] = v
				}
			}
		}
	}
	return y
}

// Conv64VJP returns dx, dw, db of Conv64 for the cotangent g.
func Conv64VJP(x, w, g []float64, n, h, wd, cin, cout, s int) (dx, dw, db []float64) {
	ho, wo := h/s, wd/s
	dx, dw, db = make([]float64, len(x)), make([]float64, len(w)), make([]float64, cout)
	for im := range n {
		for i := range ho {
			for j := range wo {
				for o := range cout {
					gv := g[((im*ho+i)*wo+j)*cout+o]
					db[o] += gv
					for ky := range 3 {
						for kx := range 3 {
							yi, xj := (s*i+ky-1+h)%h, (s*j+kx-1+wd)%wd
							for c := range cin {
								wi, xi := ((o*cin+c)*3+ky)*3+kx, ((im*h+yi)*wd+xj)*cin+c
								dx[xi] += gv * w[wi]
								dw[wi] += gv * x[xi]
							}
						}
					}
				}
			}
		}
	}
	return dx, dw, db
}

// Up64 is nearest ×2 upsampling.
func Up64(x []float64, n, h, w, c int) []float64 {
	y := make([]float64, 4*len(x))
	for im := range n {
		for i := range 2 * h {
			for j := range 2 * w {
				for k := range c {
					y[((im*2*h+i)*2*w+j)*c+k] = x[((im*h+i/2)*w+j/2)*c+k]
				}
			}
		}
	}
	return y
}

// Up64VJP sums the gradient over each 2×2 block.
func Up64VJP(g []float64, n, h, w, c int) []float64 {
	dx := make([]float64, len(g)/4)
	for im := range n {
		for i := range 2 * h {
			for j := range 2 * w {
				for k := range c {
					dx[((im*h+i/2)*w+j/2)*c+k] += g[((im*2*h+i)*2*w+j)*c+k]
				}
			}
		}
	}
	return dx
}
