package observe

import (
	"fmt"
	"slices"
	"strings"

	"sdapipe/settings"
)

// Steps on fields, the last two axes (H, W) of an array (axis −2 is x,
// axis −1 is y; docs/method.md §1.2): coarsen, subsample, crop, vorticity
// and mask; and the elementwise saturate.

var coarsenKind = StepKind{
	Name: "coarsen",
	Doc:  "average over non-overlapping factor × factor blocks of the last two axes (docs/method.md §1.2)",
	Settings: []settings.Spec{
		{Name: "factor", Type: "int", Min: settings.Bound(1), Doc: "block side; it must divide both H and W"},
	},
	Build: buildCoarsen,
}

var subsampleKind = StepKind{
	Name: "subsample",
	Doc:  "every stride-th point of the last two axes from offset, x[..., offset::stride, offset::stride]",
	Settings: []settings.Spec{
		{Name: "stride", Type: "int", Min: settings.Bound(1), Doc: "keep every stride-th row and column"},
		{Name: "offset", Default: int64(0), Min: settings.Bound(0), Doc: "first row and column kept"},
	},
	Build: buildSubsample,
}

var cropKind = StepKind{
	Name: "crop",
	Doc:  "rows lo..hi−1 and columns lo..hi−1 of the last two axes, x[..., r0:r1, c0:c1]",
	Settings: []settings.Spec{
		{Name: "rows", Type: "ints", Min: settings.Bound(0), Doc: "[lo, hi]: rows lo ≤ i < hi of axis −2"},
		{Name: "cols", Type: "ints", Min: settings.Bound(0), Doc: "[lo, hi]: columns lo ≤ j < hi of axis −1"},
	},
	Build: buildCrop,
}

var vorticityKind = StepKind{
	Name:  "vorticity",
	Doc:   "w = ∂u/∂y − ∂v/∂x of a velocity field (…, 2, H, W) by periodic central differences, as coded (docs/method.md §1.2)",
	Build: buildVorticity,
}

var saturateKind = StepKind{
	Name:  "saturate",
	Doc:   "w / (1 + |w|) elementwise (docs/method.md §4.3, scenario 3)",
	Build: buildSaturate,
}

var maskKind = StepKind{
	Name: "mask",
	Doc:  "multiply the last two axes by the annulus inner < X² + Y² < outer, X and Y from -1 to 1 along axes −2 and −1 (docs/method.md §4.3, scenario 5)",
	Settings: []settings.Spec{
		{Name: "inner", Default: 0.4, Min: settings.Bound(0), Doc: "X² + Y² must exceed inner"},
		{Name: "outer", Default: 0.6, Min: settings.Bound(0), Doc: "X² + Y² must stay below outer"},
	},
	Build: buildMask,
}

// field returns the last two axes (H, W) of in and the number b of H × W
// planes before them, or an error naming op when in has fewer than need
// axes after the time axis.
func field(op string, in Shape, need int) (b, h, w int, err error) {
	sp := in.spatial()
	if len(sp) < need {
		what := "field (…, H, W)"
		if need == 3 {
			what = "velocity field (…, 2, H, W)"
		}
		where := "the input is " + in.String()
		if in.Time {
			where = "each state is " + tuple(sp)
		}
		return 0, 0, 0, misfit("", "%s needs a %s after the time axis, but %s", op, what, where)
	}
	d := in.Dims
	h, w = d[len(d)-2], d[len(d)-1]
	return in.Size() / (h * w), h, w, nil
}

// withPlane returns in's shape with the last two axes replaced by (h, w).
func withPlane(in Shape, h, w int) Shape {
	d := slices.Clone(in.Dims)
	d[len(d)-2], d[len(d)-1] = h, w
	return Shape{Dims: d, Time: in.Time}
}

func buildCoarsen(in Shape, v settings.Values) (Step, error) {
	b, h, w, err := field("coarsen", in, 2)
	if err != nil {
		return nil, err
	}
	f := v.Int("factor")
	if h%f != 0 || w%f != 0 {
		var fit []string
		for d := 1; d <= min(h, w); d++ {
			if h%d == 0 && w%d == 0 {
				fit = append(fit, fmt.Sprint(d))
			}
		}
		return nil, misfit("factor", "coarsen factor %d does not divide the field's %d × %d (factors that fit: %s)",
			f, h, w, strings.Join(fit, ", "))
	}
	c := coarsen{b: b, h: h, w: w, f: f}
	return &step{name: "coarsen", in: in, out: withPlane(in, h/f, w/f), linear: true,
		region: func(r, col int) (int, int, int, int) { return r * f, (r + 1) * f, col * f, (col + 1) * f },
		f32:    coarsenFns[float32](c), f64: coarsenFns[float64](c)}, nil
}

// coarsen averages f × f blocks of b planes of h × w.
type coarsen struct{ b, h, w, f int }

func coarsenFns[T float](c coarsen) fns[T] {
	ho, wo, f := c.h/c.f, c.w/c.f, c.f
	area := T(f * f)
	return fns[T]{
		apply: func(dst, x []T) {
			for p := range c.b {
				src, out := x[p*c.h*c.w:(p+1)*c.h*c.w], dst[p*ho*wo:(p+1)*ho*wo]
				clear(out)
				for i := range c.h {
					row, o := src[i*c.w:(i+1)*c.w], out[i/f*wo:(i/f+1)*wo]
					for j := range o {
						var s T
						for _, e := range row[j*f : (j+1)*f] {
							s += e
						}
						o[j] += s
					}
				}
				for k := range out {
					out[k] /= area
				}
			}
		},
		vjp: func(gx, _, g []T) {
			for p := range c.b {
				gp, gq := gx[p*c.h*c.w:(p+1)*c.h*c.w], g[p*ho*wo:(p+1)*ho*wo]
				for i := range c.h {
					row, gr := gp[i*c.w:(i+1)*c.w], gq[i/f*wo:(i/f+1)*wo]
					for j, e := range gr {
						e /= area
						for k := range row[j*f : (j+1)*f] {
							row[j*f+k] += e
						}
					}
				}
			}
		},
	}
}

// window keeps rows r0, r0+rs, … (rn of them) and columns c0, c0+cs, …
// (cn of them) of b planes of h × w: subsample and crop.
type window struct {
	b, h, w    int
	r0, rs, rn int
	c0, cs, cn int
}

func newWindow(name string, in Shape, wd window) Step {
	// A kept pixel stands for the stride's block below and right of it
	// (a crop's stride is 1: the pixel itself).
	region := func(r, c int) (int, int, int, int) {
		r0, c0 := wd.r0+r*wd.rs, wd.c0+c*wd.cs
		return r0, min(r0+wd.rs, wd.h), c0, min(c0+wd.cs, wd.w)
	}
	return &step{name: name, in: in, out: withPlane(in, wd.rn, wd.cn), linear: true, region: region,
		f32: windowFns[float32](wd), f64: windowFns[float64](wd)}
}

func windowFns[T float](wd window) fns[T] {
	return fns[T]{
		apply: func(dst, x []T) {
			for p := range wd.b {
				src, out := x[p*wd.h*wd.w:(p+1)*wd.h*wd.w], dst[p*wd.rn*wd.cn:(p+1)*wd.rn*wd.cn]
				for i := range wd.rn {
					row, o := src[(wd.r0+i*wd.rs)*wd.w:], out[i*wd.cn:(i+1)*wd.cn]
					for j := range o {
						o[j] = row[wd.c0+j*wd.cs]
					}
				}
			}
		},
		vjp: func(gx, _, g []T) {
			for p := range wd.b {
				gp, gq := gx[p*wd.h*wd.w:(p+1)*wd.h*wd.w], g[p*wd.rn*wd.cn:(p+1)*wd.rn*wd.cn]
				for i := range wd.rn {
					row, gr := gp[(wd.r0+i*wd.rs)*wd.w:], gq[i*wd.cn:(i+1)*wd.cn]
					for j, e := range gr {
						row[wd.c0+j*wd.cs] += e
					}
				}
			}
		},
	}
}

func buildSubsample(in Shape, v settings.Values) (Step, error) {
	b, h, w, err := field("subsample", in, 2)
	if err != nil {
		return nil, err
	}
	s, o := v.Int("stride"), v.Int("offset")
	if o >= min(h, w) {
		return nil, misfit("offset", "subsample offset %d is outside the field's %d × %d (offsets 0..%d fit)", o, h, w, min(h, w)-1)
	}
	return newWindow("subsample", in, window{b: b, h: h, w: w,
		r0: o, rs: s, rn: (h - o + s - 1) / s, c0: o, cs: s, cn: (w - o + s - 1) / s}), nil
}

func buildCrop(in Shape, v settings.Values) (Step, error) {
	b, h, w, err := field("crop", in, 2)
	if err != nil {
		return nil, err
	}
	r, err := span("rows", v.Ints("rows"), h)
	if err != nil {
		return nil, err
	}
	c, err := span("cols", v.Ints("cols"), w)
	if err != nil {
		return nil, err
	}
	return newWindow("crop", in, window{b: b, h: h, w: w,
		r0: r[0], rs: 1, rn: r[1] - r[0], c0: c[0], cs: 1, cn: c[1] - c[0]}), nil
}

// span checks a crop setting [lo, hi] against an axis of n points.
func span(name string, lohi []int, n int) ([]int, error) {
	what := map[string]string{"rows": "rows", "cols": "columns"}[name]
	if len(lohi) != 2 {
		return nil, misfit(name, "crop %s %v must be two numbers [lo, hi]", name, lohi)
	}
	if lo, hi := lohi[0], lohi[1]; lo < 0 || lo >= hi || hi > n {
		return nil, misfit(name, "crop %s [%d, %d] do not fit the field's %d %s: want 0 ≤ lo < hi ≤ %d", name, lo, hi, n, what, n)
	}
	return lohi, nil
}

func buildVorticity(in Shape, _ settings.Values) (Step, error) {
	_, h, w, err := field("vorticity", in, 3)
	if err == nil && in.Dims[len(in.Dims)-3] != 2 {
		err = misfit("", "vorticity needs a velocity field (…, 2, H, W) after the time axis, but the channel axis has %d", in.Dims[len(in.Dims)-3])
	}
	if err != nil {
		return nil, err
	}
	out := Shape{Dims: slices.Delete(slices.Clone(in.Dims), len(in.Dims)-3, len(in.Dims)-2), Time: in.Time}
	b := in.Size() / (2 * h * w)
	return &step{name: "vorticity", in: in, out: out, linear: true,
		f32: vorticityFns[float32](b, h, w), f64: vorticityFns[float64](b, h, w)}, nil
}

// vorticityFns computes, for each of b velocity fields (u, v) of h × w,
//
//	w[i, j] = (u[i, j+1] − u[i, j−1])/2 − (v[i+1, j] − v[i−1, j])/2
//
// with indices modulo (h, w): ∂u/∂(axis −1) − ∂v/∂(axis −2) by the central
// differences of unit spacing that torch.gradient takes on the circularly
// padded field (docs/method.md §1.2, "vorticity as coded"). The VJP is the
// transpose, a central difference of g with the opposite sign:
//
//	gu[i, j] += (g[i, j−1] − g[i, j+1])/2,  gv[i, j] += (g[i+1, j] − g[i−1, j])/2.
func vorticityFns[T float](b, h, w int) fns[T] {
	n := h * w
	return fns[T]{
		apply: func(dst, x []T) {
			for p := range b {
				u, v, out := x[2*p*n:(2*p+1)*n], x[(2*p+1)*n:(2*p+2)*n], dst[p*n:(p+1)*n]
				for i := range h {
					up, vm, vp := u[i*w:(i+1)*w], v[wrap(i-1, h)*w:], v[wrap(i+1, h)*w:]
					o := out[i*w : (i+1)*w]
					for j := range o {
						du := (up[wrap(j+1, w)] - up[wrap(j-1, w)]) / 2
						dv := (vp[j] - vm[j]) / 2
						o[j] = du - dv
					}
				}
			}
		},
		vjp: func(gx, _, g []T) {
			for p := range b {
				gu, gv, gp := gx[2*p*n:(2*p+1)*n], gx[(2*p+1)*n:(2*p+2)*n], g[p*n:(p+1)*n]
				for i := range h {
					gr, gm, gn := gp[i*w:(i+1)*w], gp[wrap(i-1, h)*w:], gp[wrap(i+1, h)*w:]
					ur, vr := gu[i*w:(i+1)*w], gv[i*w:(i+1)*w]
					for j := range ur {
						ur[j] += (gr[wrap(j-1, w)] - gr[wrap(j+1, w)]) / 2
						vr[j] += (gn[j] - gm[j]) / 2
					}
				}
			}
		},
	}
}

// wrap returns i modulo n for −n ≤ i < 2n.
func wrap(i, n int) int {
	switch {
	case i < 0:
		return i + n
	case i >= n:
		return i - n
	}
	return i
}

func buildSaturate(in Shape, _ settings.Values) (Step, error) {
	return &step{name: "saturate", in: in, out: in,
		f32: saturateFns[float32](), f64: saturateFns[float64]()}, nil
}

// saturateFns applies g(w) = w/(1 + |w|), g'(w) = 1/(1 + |w|)², elementwise.
// Its Jacobian is diagonal, so JVP and VJP are the same product.
func saturateFns[T float]() fns[T] {
	return fns[T]{
		apply: func(dst, x []T) {
			for k, e := range x {
				dst[k] = e / (1 + abs(e))
			}
		},
		vjp: func(gx, x, g []T) {
			gx = gx[:len(x)]
			for k, e := range x {
				a := 1 + abs(e)
				gx[k] += g[k] / (a * a)
			}
		},
		jvp: func(dy, x, dx []T) {
			dy = dy[:len(x)]
			for k, e := range x {
				a := 1 + abs(e)
				dy[k] = dx[k] / (a * a)
			}
		},
	}
}

func buildMask(in Shape, v settings.Values) (Step, error) {
	b, h, w, err := field("mask", in, 2)
	if err != nil {
		return nil, err
	}
	inner, outer := v.Float("inner"), v.Float("outer")
	if inner >= outer {
		return nil, misfit("outer", "mask outer %g must exceed inner %g", outer, inner)
	}
	m, kept := Annulus(h, w, inner, outer)
	if kept == 0 {
		return nil, misfit("inner", "mask %g < X² + Y² < %g keeps no point of the %d × %d grid", inner, outer, h, w)
	}
	return &step{name: "mask", in: in, out: in, linear: true,
		f32: maskFns[float32](b, m), f64: maskFns[float64](b, m)}, nil
}

// Annulus returns the h × w mask, row-major, that is 1 where
// inner < X² + Y² < outer and 0 elsewhere, with X = linspace(−1, 1, h)
// along axis −2 and Y = linspace(−1, 1, w) along axis −1 (endpoints
// included; a single point sits at −1), and the number of 1s. Spec
// docs/method.md §4.3 scenario 5 is Annulus(64, 64, 0.4, 0.6), the
// notebook's "circle" of 612 points. X_i = (2i − h + 1)/(h − 1) is computed
// from that exact ratio, so the mask is symmetric under i → h−1−i.
func Annulus(h, w int, inner, outer float64) (mask []uint8, kept int) {
	mask = make([]uint8, h*w)
	for i := range h {
		x := linspace(i, h)
		for j := range w {
			y := linspace(j, w)
			if r := x*x + y*y; inner < r && r < outer {
				mask[i*w+j] = 1
				kept++
			}
		}
	}
	return mask, kept
}

// linspace returns point i of n spread evenly over [−1, 1].
func linspace(i, n int) float64 {
	if n == 1 {
		return -1
	}
	return float64(2*i-n+1) / float64(n-1)
}

// maskFns multiplies each of b planes by m (0 or 1 per point); the product
// keeps torch's x·0 semantics, so a NaN outside the mask stays NaN.
func maskFns[T float](b int, m []uint8) fns[T] {
	n := len(m)
	return fns[T]{
		apply: func(dst, x []T) {
			for p := range b {
				src, out := x[p*n:(p+1)*n], dst[p*n:(p+1)*n]
				for k, e := range src {
					out[k] = e * T(m[k])
				}
			}
		},
		vjp: func(gx, _, g []T) {
			for p := range b {
				src, out := g[p*n:(p+1)*n], gx[p*n:(p+1)*n]
				for k, e := range src {
					out[k] += e * T(m[k])
				}
			}
		},
	}
}
