package conv

import (
	"math"
	"math/rand/v2"
)

// geom is a test convolution: n images of h×w, cin → cout, stride s.
type geom struct{ n, h, w, cin, cout, s int }

func (g geom) ho() int { return g.h / g.s }
func (g geom) wo() int { return g.w / g.s }

// refForward returns the float64 convolution (circular padding) and, per
// output, the sum of the absolute values of its terms (for the error
// bound).
func refForward(g geom, x, wt, b []float32) (y, mag []float64) {
	ho, wo := g.ho(), g.wo()
	y = make([]float64, g.n*ho*wo*g.cout)
	mag = make([]float64, len(y))
	for n := range g.n {
		for oy := range ho {
			for ox := range wo {
				for co := range g.cout {
					s, m := 0.0, 0.0
					if b != nil {
						s, m = float64(b[co]), math.Abs(float64(b[co]))
					}
					for ky := range 3 {
						iy := (g.s*oy + ky - 1 + g.h) % g.h
						for kx := range 3 {
							ix := (g.s*ox + kx - 1 + g.w) % g.w
							for ci := range g.cin {
								v := float64(wt[((co*g.cin+ci)*3+ky)*3+kx]) * float64(x[((n*g.h+iy)*g.w+ix)*g.cin+ci])
								s += v
								m += math.Abs(v)
							}
						}
					}
					i := ((n*ho+oy)*wo+ox)*g.cout + co
					y[i], mag[i] = s, m
				}
			}
		}
	}
	return y, mag
}

// refBackward returns the float64 gradients of Σ dy·conv(x) with respect
// to x and to the weights, with their term magnitudes.
func refBackward(g geom, x, wt, dy []float32) (dx, dxMag, dw, dwMag []float64) {
	ho, wo := g.ho(), g.wo()
	dx = make([]float64, len(x))
	dxMag = make([]float64, len(x))
	dw = make([]float64, len(wt))
	dwMag = make([]float64, len(wt))
	for n := range g.n {
		for oy := range ho {
			for ox := range wo {
				for ky := range 3 {
					iy := (g.s*oy + ky - 1 + g.h) % g.h
					for kx := range 3 {
						ix := (g.s*ox + kx - 1 + g.w) % g.w
						for co := range g.cout {
							d := float64(dy[((n*ho+oy)*wo+ox)*g.cout+co])
							for ci := range g.cin {
								wi := ((co*g.cin+ci)*3+ky)*3 + kx
								xi := ((n*g.h+iy)*g.w+ix)*g.cin + ci
								dx[xi] += float64(wt[wi]) * d
								dxMag[xi] += math.Abs(float64(wt[wi]) * d)
								dw[wi] += float64(x[xi]) * d
								dwMag[wi] += math.Abs(float64(x[xi]) * d)
							}
						}
					}
				}
			}
		}
	}
	return dx, dxMag, dw, dwMag
}

func randVec(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}
