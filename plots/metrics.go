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

// referenceStyles are the colours and dash patterns of reference lines, in
// the order the panel lists them: black and grey for the first two (the
// filter and the truth), then colours the series do not use.
var referenceStyles = []struct {
	c      color.Color
	dashes []vg.Length
}{
	{color.Black, []vg.Length{vg.Points(4), vg.Points(3)}},
	{color.Gray{Y: 0x80}, []vg.Length{vg.Points(4), vg.Points(3)}},
	{color.RGBA{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff}, []vg.Length{vg.Points(1.5), vg.Points(2)}},
	{color.RGBA{R: 0x17, G: 0xbe, B: 0xcf, A: 0xff}, []vg.Length{vg.Points(1.5), vg.Points(2)}},
	{color.RGBA{R: 0xbc, G: 0xbd, B: 0x22, A: 0xff}, []vg.Length{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)}},
	{color.RGBA{R: 0xe3, G: 0x77, B: 0xc2, A: 0xff}, []vg.Length{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)}},
}

// Metrics draws the panels side by side, with one legend for all of them
// in a strip below (the panels share their series and references), and
// returns the PNG.
func Metrics(title string, panels []MetricPanel) ([]byte, error) {
	row := make([]*plot.Plot, len(panels))
	type entry struct {
		name string
		th   []plot.Thumbnailer
	}
	var legend []entry
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
			if i == 0 {
				legend = append(legend, entry{s.Name, []plot.Thumbnailer{l, sc}})
			}
		}
		for j, r := range pn.References {
			l, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: r.Y}, {X: xmax, Y: r.Y}})
			if err != nil {
				return nil, err
			}
			st := referenceStyles[j%len(referenceStyles)]
			l.Color, l.Dashes, l.Width = st.c, st.dashes, vg.Points(1.2)
			p.Add(l)
			if i == 0 {
				legend = append(legend, entry{r.Name, []plot.Thumbnailer{l}})
			}
		}
		if pn.YMin != nil && p.Y.Min < *pn.YMin {
			p.Y.Min = *pn.YMin
			p.Title.Text += " (axis cut)"
		}
		widenFlat(p)
		row[i] = p
	}
	// The legend strip: entries in columns of legendRows, below the panels.
	const legendRows = 4
	entries := len(legend)
	cols := max(1, (entries+legendRows-1)/legendRows)
	strip := vg.Length(min(entries, legendRows))*0.22*vg.Inch + 0.15*vg.Inch
	w := vg.Length(len(panels)) * 4.2 * vg.Inch
	img := vgimg.New(w, 4*vg.Inch+strip)
	dc := draw.New(img)
	top := draw.Crop(dc, 0, 0, strip, 0)
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Millimeter * 4}
	canvases := plot.Align([][]*plot.Plot{row}, tiles, top)
	for i, p := range row {
		p.Draw(canvases[0][i])
	}
	for c := range cols {
		part := plot.NewLegend()
		part.Top, part.Left = true, true
		for _, e := range legend[c*legendRows : min((c+1)*legendRows, entries)] {
			part.Add(e.name, e.th...)
		}
		x0 := vg.Length(c) * w / vg.Length(cols)
		area := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x0 + 0.2*vg.Inch, Y: 0}, Max: vg.Point{X: x0 + w/vg.Length(cols), Y: strip}}}
		part.Draw(area)
	}
	return encode(img)
}
