package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// A MetricPanel is one metric plotted against a setting (such as the
// number of corrections), one series per model, with horizontal reference
// lines (such as the particle filter's value).
type MetricPanel struct {
	Title, XLabel string
	Series        []Series
	References    []Reference
	// YMin, when not nil, cuts the y axis off below it, so that one very
	// bad value does not flatten the others; lines leave the frame there.
	YMin *float64
}

// A Reference is a named horizontal line.
type Reference struct {
	Name string
	Y    float64
}

// Metrics draws the panels side by side and returns the PNG.
func Metrics(title string, panels []MetricPanel) ([]byte, error) {
	row := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.Title
		if i == 0 {
			p.Title.Text = title + "\n" + pn.Title
		}
		p.X.Label.Text = pn.XLabel
		p.Add(plotter.NewGrid())
		xmin, xmax := 0.0, 1.0
		for j, s := range pn.Series {
			pts := make(plotter.XYs, len(s.X))
			for k := range s.X {
				pts[k].X, pts[k].Y = s.X[k], s.Y[k]
				xmin, xmax = min(xmin, s.X[k]), max(xmax, s.X[k])
			}
			l, sc, err := plotter.NewLinePoints(pts)
			if err != nil {
				return nil, err
			}
			c := Palette[j%len(Palette)]
			l.Color, sc.Color = c, c
			l.Width = vg.Points(1.5)
			sc.Shape = draw.CircleGlyph{}
			p.Add(l, sc)
			p.Legend.Add(s.Name, l, sc)
		}
		for j, r := range pn.References {
			l, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: r.Y}, {X: xmax, Y: r.Y}})
			if err != nil {
				return nil, err
			}
			l.Color = []color.Color{color.Black, color.Gray{Y: 0x80}}[j%2]
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(l)
			p.Legend.Add(r.Name, l)
		}
		if pn.YMin != nil && p.Y.Min < *pn.YMin {
			p.Y.Min = *pn.YMin
			p.Title.Text += " (axis cut)"
		}
		p.Legend.Top = true
		widenFlat(p)
		row[i] = p
	}
	img := vgimg.New(vg.Length(len(panels))*4.2*vg.Inch, 4*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Millimeter * 4}
	canvases := plot.Align([][]*plot.Plot{row}, tiles, dc)
	for i, p := range row {
		p.Draw(canvases[0][i])
	}
	return encode(img)
}
