// Package plots draws sdapipe's figures as PNG bytes with gonum/plot.
// It knows nothing of the pipeline: it takes numbers and returns images.
package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Palette holds the line colours used across figures.
var Palette = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
	color.RGBA{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff},
}

// A Series is one named line.
type Series struct {
	Name string
	X, Y []float64
}

// Lines draws series on one set of axes, with a log-scaled y axis when
// logY is set (every y must then be positive).
func Lines(title, xlabel, ylabel string, logY bool, series ...Series) ([]byte, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Add(plotter.NewGrid())
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	for i, s := range series {
		pts := make(plotter.XYs, len(s.X))
		for j := range s.X {
			pts[j].X, pts[j].Y = s.X[j], s.Y[j]
			if logY && !(s.Y[j] > 0) {
				return nil, fmt.Errorf("plots: %s has non-positive value %g on a log axis", s.Name, s.Y[j])
			}
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("plots: %s: %w", s.Name, err)
		}
		l.Color = Palette[i%len(Palette)]
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(s.Name, l)
	}
	p.Legend.Top = true
	return render(p, 7*vg.Inch, 4.5*vg.Inch)
}

func render(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	img := vgimg.New(w, h)
	widenFlat(p)
	p.Draw(draw.New(img))
	return encode(img)
}

// widenFlat widens an axis whose data span no range, such as one point,
// by 5% of its value where gonum/plot's own ±1 would be lost in rounding
// (beyond 2^53) and its tick marker would panic: a diverged posterior's
// metric can be 10^22.
func widenFlat(p *plot.Plot) {
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		if a.Min == a.Max && math.Abs(a.Min) >= 1<<53 {
			d := 0.05 * math.Abs(a.Min)
			a.Min, a.Max = a.Min-d, a.Max+d
		}
	}
}

func encode(img *vgimg.Canvas) ([]byte, error) {
	c := vgimg.PngCanvas{Canvas: img}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plots: encode png: %w", err)
	}
	return buf.Bytes(), nil
}
