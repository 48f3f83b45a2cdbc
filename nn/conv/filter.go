package conv

import (
	"fmt"

	"sdapipe/nn/gemm"
)

// A Filter is one 3×3 convolution layer's weights packed for the
// kernels: Cin input and Cout output channels, stride 1 or 2.
//
// Pack and PackBackward copy the weights in, in the form the passes on
// images of a given size use; Forward and BackwardData then read only the
// packed copies, so a Filter may be shared by goroutines (each with its
// own Scratch) once packed. Pack again after the weights change.
type Filter struct {
	Cin, Cout, Stride int
	ar                *arch
	fwd, bwd          []float32 // packed for Forward and BackwardData (made by Pack, PackBackward)
	fwdP, bwdP        []panel   // their panels
	// wino selects Winograd F(2×2, 3×3) for the stride-1 passes (on
	// images of even size); fwdW and bwdW are the transformed filters.
	wino               bool
	fwdW, bwdW         []float32
	fwdState, bwdState packState
}

// NewFilter returns an unpacked filter for the best kernel path of this
// CPU (cfg.Path forces one). It panics unless cin, cout ≥ 1 and stride is
// 1 or 2, or if the CPU lacks a forced path.
func NewFilter(cin, cout, stride int, cfg Config) *Filter {
	if cin < 1 || cout < 1 || (stride != 1 && stride != 2) {
		panic(fmt.Sprintf("conv: NewFilter(%d, %d, stride %d): need positive channels and stride 1 or 2", cin, cout, stride))
	}
	ar := archFor(cfg.Path)
	f := &Filter{Cin: cin, Cout: cout, Stride: stride, ar: ar}
	f.wino = stride == 1 && cin >= minWino && cout >= minWino && !cfg.Direct
	f.fwdP = ar.panels(nil, cout)
	f.bwdP = ar.panels(nil, cin)
	return f
}

// A Config selects the kernels. The zero Config picks the fastest path of
// the CPU; Path forces one (tests compare the paths).
type Config struct {
	Path gemm.Path
	// Direct turns Winograd off: every pass sums the nine taps directly.
	Direct bool
}

// Path returns the kernel path the filter runs.
func (f *Filter) Path() gemm.Path { return f.ar.path }

// Pack packs wt, the weights in PyTorch's layout (Cout, Cin, 3, 3), for
// Forward on images of h×w pixels: Winograd-transformed where Forward will
// use Winograd (stride 1, both channel counts at least 16, h and w even,
// unless Config.Direct), plain otherwise. It panics if len(wt) !=
// Cout·Cin·9.
func (f *Filter) Pack(wt []float32, h, w int) {
	f.check(wt)
	if f.useWino(h, w) {
		f.fwdW = grow(f.fwdW, 16*f.ar.packedLen(f.Cin, f.Cout))
		packWino(f.fwdW, f.fwdP, wt, f.Cin, f.Cout, false)
		f.fwdState = packedWino
		return
	}
	f.fwd = grow(f.fwd, f.ar.packedLen(9*f.Cin, f.Cout))
	// Row (t, ci) of the packed matrix, column co, is w[co, ci, t], with
	// tap t = 3·(dy+1) + (dx+1) reading input pixel (y+dy, x+dx).
	for _, p := range f.fwdP {
		dst := f.fwd[p.col0*9*f.Cin:]
		for j := range p.cols {
			src := wt[(p.col0+j)*f.Cin*9:]
			for ci := range f.Cin {
				for t := range 9 {
					dst[(t*f.Cin+ci)*p.stride+j] = src[ci*9+t]
				}
			}
		}
	}
	f.fwdState = packedDirect
}

// PackBackward packs wt (as for Pack) for BackwardData on images of h×w
// pixels (the input's size).
func (f *Filter) PackBackward(wt []float32, h, w int) {
	f.check(wt)
	if f.useWino(h, w) {
		f.bwdW = grow(f.bwdW, 16*f.ar.packedLen(f.Cout, f.Cin))
		packWino(f.bwdW, f.bwdP, wt, f.Cin, f.Cout, true)
		f.bwdState = packedWino
		return
	}
	f.bwd = grow(f.bwd, f.ar.packedLen(9*f.Cout, f.Cin))
	// Row (t, co), column ci, is w[co, ci, t].
	for _, p := range f.bwdP {
		dst := f.bwd[p.col0*9*f.Cout:]
		for co := range f.Cout {
			src := wt[co*f.Cin*9:]
			for j := range p.cols {
				for t := range 9 {
					dst[(t*f.Cout+co)*p.stride+j] = src[(p.col0+j)*9+t]
				}
			}
		}
	}
	f.bwdState = packedDirect
}

// useWino reports whether the stride-1 passes on h×w images use Winograd.
func (f *Filter) useWino(h, w int) bool { return f.wino && h%2 == 0 && w%2 == 0 }

// packState says which form of the weights a pass has packed.
type packState uint8

const (
	unpacked packState = iota
	packedDirect
	packedWino
)

// packed panics unless st is the form the pass needs on h×w images.
func (f *Filter) packed(op string, st packState, h, w int) {
	want := packedDirect
	if f.useWino(h, w) {
		want = packedWino
	}
	if st != want {
		panic(fmt.Sprintf("conv: %s on %d×%d images before packing the weights for that size", op, h, w))
	}
}

func (f *Filter) check(w []float32) {
	if len(w) != f.Cout*f.Cin*9 {
		panic("conv: Filter.Pack: weights are not Cout·Cin·9 values")
	}
}
