package nn

import (
	"fmt"
	"testing"
)

func TestConv2DGrad(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, h, w, in, out, s int }{
		{2, 4, 5, 3, 4, 1},
		{1, 6, 6, 5, 3, 1},
		{2, 4, 6, 3, 5, 2},
		{1, 8, 4, 2, 3, 2},
	} {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			t.Parallel()
			ho, wo := c.h/c.s, c.w/c.s
			checkOp(t, opCase{
				name:  "Conv2D",
				sizes: []int{c.n * c.h * c.w * c.in, c.out * c.in * 9, c.out},
				f64: func(v [][]float64) []float64 {
					return conv64(v[0], v[1], v[2], c.n, c.h, c.w, c.in, c.out, c.s)
				},
				vjp64: func(v [][]float64, g []float64) [][]float64 {
					dx, dw, db := conv64VJP(v[0], v[1], g, c.n, c.h, c.w, c.in, c.out, c.s)
					return [][]float64{dx, dw, db}
				},
				run32: func(tp *Tape, v [][]float32) (*Tensor, func() [][]float32) {
					l := NewConv2D("c", c.in, c.out, c.s)
					copy(l.W.Data, v[1])
					copy(l.B.Data, v[2])
					x := tp.Var(v[0], c.n, c.h, c.w, c.in)
					y := tp.Conv2D(l, x)
					if y.Shape[1] != ho || y.Shape[2] != wo || y.Shape[3] != c.out {
						t.Fatalf("output shape %v", y.Shape)
					}
					return y, func() [][]float32 {
						dw, db := append([]float32(nil), l.W.Grad...), append([]float32(nil), l.B.Grad...)
						clear(l.W.Grad)
						clear(l.B.Grad)
						return [][]float32{x.Grad, dw, db}
					}
				},
			})
		})
	}
}

func TestConv2DSerialTapeMatches(t *testing.T) {
	t.Parallel()
	// A shard tape sums the weight gradient in one pass, a parallel tape
	// in image chunks: both are the same gradient to float32 rounding, and
	// each is the same bits when run again.
	rng := newTestRand()
	const n, h, w, in, out = 5, 6, 4, 3, 4
	x, g := randVec(rng, n*h*w*in), randVec(rng, n*h*w*out)
	l := NewConv2D("c", in, out, 1)
	l.Init(rng)
	grad := func(tp *Tape) []float32 {
		clear(l.W.Grad)
		tp.BackwardWith(tp.Conv2D(l, tp.Const(x, n, h, w, in)), g)
		return append([]float32(nil), l.W.Grad...)
	}
	par, ser := grad(NewTape()), grad(newShardTape(nil))
	again := grad(NewTape())
	for i := range par {
		if par[i] != again[i] {
			t.Fatalf("parallel tape: dW[%d] %g then %g", i, par[i], again[i])
		}
		if !near(float64(par[i]), float64(ser[i]), 1e-5, 1e-5) {
			t.Fatalf("dW[%d]: parallel %g, serial %g", i, par[i], ser[i])
		}
	}
}

func TestConv2DTapeRepacksChangedWeights(t *testing.T) {
	t.Parallel()
	// A layer keeps its packed filter while the weights stay the same bits;
	// after they change a tape's output must match a new tape's.
	rng := newTestRand()
	const n, h, w, in, out = 2, 4, 4, 16, 16 // Winograd-sized
	x := randVec(rng, n*h*w*in)
	l := NewConv2D("c", in, out, 1)
	l.Init(rng)
	tp := NewTape()
	first := append([]float32(nil), tp.Conv2D(l, tp.Const(x, n, h, w, in)).Data...)
	l.W.Data[5] += 0.5
	tp.Reset()
	got := tp.Conv2D(l, tp.Const(x, n, h, w, in)).Data
	fresh := NewTape()
	want := fresh.Conv2D(l, fresh.Const(x, n, h, w, in)).Data
	changed := false
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("y[%d] = %g after the change, a new tape gives %g", i, got[i], want[i])
		}
		changed = changed || got[i] != first[i]
	}
	if !changed {
		t.Fatal("the output did not change with the weights")
	}
}
