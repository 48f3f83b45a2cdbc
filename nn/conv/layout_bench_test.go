package conv

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"sdapipe/nn/gemm"
)

// BenchmarkAlgorithms measures the choices the package comment reports, on
// the forward pass of the U-Net's block convolutions, one goroutine, four
// images: the NHWC implicit GEMM of this package (direct and Winograd),
// im2col + SGEMM in NHWC (the im2col matrix built per image, then one
// gemm.Sgemm), and a direct NCHW convolution on the same micro-kernels
// (tiles of 12 output channels × 32 pixels of one row, the input read
// unpacked as B). Reported as direct-equivalent GFLOP/s (2·9·Cin·Cout per
// output pixel), by wall and by thread CPU time (see reportRates).
func BenchmarkAlgorithms(b *testing.B) {
	for _, g := range []geom{{4, 64, 64, 64, 64, 1}, {4, 32, 32, 128, 128, 1}, {4, 16, 16, 256, 256, 1}} {
		name := fmt.Sprintf("%dx%dx%d", g.h, g.w, g.cin)
		rng := rand.New(rand.NewPCG(1, 2))
		x := randVec(rng, g.n*g.h*g.w*g.cin)
		wt := randVec(rng, g.cout*g.cin*9)
		y := make([]float32, g.n*g.h*g.w*g.cout)
		var sc Scratch
		for _, alg := range []string{"nhwc-winograd", "nhwc-direct", "nhwc-im2col-sgemm", "nchw-direct"} {
			b.Run(name+"/"+alg, func(b *testing.B) {
				var run func()
				switch alg {
				case "nhwc-winograd", "nhwc-direct":
					f := NewFilter(g.cin, g.cout, 1, Config{Direct: alg == "nhwc-direct"})
					f.Pack(wt, g.h, g.w)
					run = func() { f.Forward(&sc, y, x, nil, g.n, g.h, g.w, false) }
				case "nhwc-im2col-sgemm":
					cols := make([]float32, g.h*g.w*9*g.cin)
					wm := make([]float32, 9*g.cin*g.cout) // (t, ci) rows × co
					for co := range g.cout {
						for ci := range g.cin {
							for t := range 9 {
								wm[(t*g.cin+ci)*g.cout+co] = wt[(co*g.cin+ci)*9+t]
							}
						}
					}
					run = func() {
						for i := range g.n {
							im2col(cols, x[i*g.h*g.w*g.cin:], g.h, g.w, g.cin)
							gemm.Config{Workers: 1}.Sgemm(false, false, g.h*g.w, g.cout, 9*g.cin, 1, cols, 9*g.cin, wm, g.cout, 0, y[i*g.h*g.w*g.cout:], g.cout)
						}
					}
				case "nchw-direct":
					nc := newNCHW(g, wt)
					run = func() { nc.forward(y, x) }
				}
				run()
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				cpu0 := threadCPU()
				for b.Loop() {
					run()
				}
				reportRates(b, 2*9*float64(g.n*g.h*g.w*g.cin*g.cout)*float64(b.N), threadCPU()-cpu0, 0)
			})
		}
	}
}

// im2col writes the h·w × 9·c matrix whose row p holds the nine
// circularly shifted neighbours of pixel p of the NHWC image x.
func im2col(dst, x []float32, h, w, c int) {
	for i := range h {
		for j := range w {
			row := dst[(i*w+j)*9*c:]
			for t := range 9 {
				yi, xj := mod(i+t/3-1, h), mod(j+t%3-1, w)
				copy(row[t*c:(t+1)*c], x[(yi*w+xj)*c:(yi*w+xj+1)*c])
			}
		}
	}
}

// nchw is a direct stride-1 convolution of NCHW images on the AVX-512
// micro-kernels: output tiles of 12 channels × 32 pixels, one segment per
// tap over the input channels; A is the weights, packed (co, t, ci), B the
// row-padded input planes, read in place.
type nchw struct {
	g    geom
	a    []float32 // (co, t, ci)
	pad  []float32 // (ci, h, w+2)
	segs [9]seg
}

func newNCHW(g geom, wt []float32) *nchw {
	nc := &nchw{g: g, a: make([]float32, g.cout*9*g.cin), pad: make([]float32, g.cin*g.h*(g.w+2))}
	for co := range g.cout {
		for ci := range g.cin {
			for t := range 9 {
				nc.a[(co*9+t)*g.cin+ci] = wt[(co*g.cin+ci)*9+t]
			}
		}
	}
	return nc
}

func (nc *nchw) forward(y, x []float32) {
	g := nc.g
	wp, plane := g.w+2, g.h*g.w
	ar := archFor(gemm.PathAuto)
	fam := &ar.wide
	for i := range g.n {
		xi, yi := x[i*plane*g.cin:], y[i*plane*g.cout:]
		for ci := range g.cin {
			for r := range g.h {
				src, dst := xi[(ci*g.h+r)*g.w:(ci*g.h+r+1)*g.w], nc.pad[(ci*g.h+r)*wp:(ci*g.h+r+1)*wp]
				copy(dst[1:], src)
				dst[0], dst[wp-1] = src[g.w-1], src[0]
			}
		}
		for r := range g.h {
			for x0 := 0; x0 < g.w; x0 += fam.nr {
				p := panel{x0, min(fam.nr, g.w-x0), fam.nr, fam}
				for t := range 9 {
					ry := mod(r+t/3-1, g.h)
					nc.segs[t] = seg{aoff: 4 * t * g.cin, boff: 4 * (ry*wp + x0 + t%3), n: g.cin}
				}
				for co := 0; co < g.cout; co += fam.mr {
					mt := min(fam.mr, g.cout-co)
					p.call(mt, nc.segs[:], nc.a, co*9*g.cin, 9*g.cin, 1, nc.pad, 0, g.h*wp, yi, co*plane+r*g.w+x0, plane, nil, 0)
				}
			}
		}
	}
}
