package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// A Panel is one state variable of a trajectory figure: ensembles of
// trajectories over time, the true trajectory and the observations.
type Panel struct {
	Title string
	// Ensembles are drawn first, each in its own colour with transparency.
	Ensembles []Ensemble
	Truth     []float64 // nil if unknown
	ObsT      []float64 // observed times, with ObsY
	ObsY      []float64
}

// An Ensemble is a named set of trajectories, each a series over time 0, 1, ….
// Ensembles are drawn translucent and thin unless Solid is set.
type Ensemble struct {
	Name    string
	Members [][]float64
	Solid   bool
}

// Panels draws one panel per row and returns the PNG.
func Panels(title string, panels []Panel) ([]byte, error) {
	rows := len(panels)
	plots := make([][]*plot.Plot, rows)
	for i, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.Title
		if i == 0 && title != "" {
			p.Title.Text = title + "\n" + pn.Title
		}
		p.X.Label.Text = "time step"
		p.Add(plotter.NewGrid())
		for e, ens := range pn.Ensembles {
			// color.RGBA is alpha-premultiplied; NRGBA takes straight alpha.
			r, g, b, _ := Palette[e%len(Palette)].RGBA()
			c := color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x50}
			width := vg.Points(0.6)
			if ens.Solid {
				c.A, width = 0xff, vg.Points(1.5)
			}
			for j, m := range ens.Members {
				l, err := plotter.NewLine(series(m))
				if err != nil {
					return nil, err
				}
				l.Color, l.Width = c, width
				p.Add(l)
				if j == 0 {
					solid := c
					solid.A = 0xff
					leg, _ := plotter.NewLine(series(m[:1]))
					leg.Color = solid
					p.Legend.Add(ens.Name, leg)
				}
			}
		}
		if pn.Truth != nil {
			l, err := plotter.NewLine(series(pn.Truth))
			if err != nil {
				return nil, err
			}
			l.Color, l.Width = color.Black, vg.Points(1.4)
			p.Add(l)
			p.Legend.Add("truth", l)
		}
		if len(pn.ObsT) > 0 {
			pts := make(plotter.XYs, len(pn.ObsT))
			for j := range pn.ObsT {
				pts[j].X, pts[j].Y = pn.ObsT[j], pn.ObsY[j]
			}
			s, err := plotter.NewScatter(pts)
			if err != nil {
				return nil, err
			}
			s.GlyphStyle.Color = color.RGBA{R: 0xe0, G: 0x10, B: 0x10, A: 0xff}
			s.GlyphStyle.Radius = vg.Points(2.5)
			s.GlyphStyle.Shape = draw.CircleGlyph{}
			p.Add(s)
			p.Legend.Add("observations", s)
		}
		p.Legend.Top = true
		widenFlat(p)
		plots[i] = []*plot.Plot{p}
	}
	w, h := 8*vg.Inch, vg.Length(rows)*2.6*vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: rows, Cols: 1, PadY: vg.Millimeter * 2}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	return encode(img)
}

func series(y []float64) plotter.XYs {
	pts := make(plotter.XYs, len(y))
	for i, v := range y {
		pts[i].X, pts[i].Y = float64(i), v
	}
	return pts
}
