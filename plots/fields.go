package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// A FieldRow is one row of a field figure: a name and images of equal
// size, each H×W values row-major, drawn as numpy's imshow draws them
// (row 0 at the top).
type FieldRow struct {
	Name   string
	Images [][]float64
}

// Fields draws rows of 2-D fields on one diverging colour scale, the same
// for every image: [−Limit, Limit], or ± the largest magnitude when Limit
// is 0. Columns are labelled with cols (for example the time of each
// image). Images may be nil to leave a cell empty.
func Fields(title string, rows []FieldRow, cols []string, h, w int, limit float64) ([]byte, error) {
	if len(rows) == 0 || len(cols) == 0 || h < 1 || w < 1 {
		return nil, fmt.Errorf("plots: a field figure needs rows, columns and images; got %d × %d of %d×%d", len(rows), len(cols), h, w)
	}
	if limit <= 0 {
		for _, r := range rows {
			for _, img := range r.Images {
				for _, v := range img {
					if !math.IsNaN(v) && !math.IsInf(v, 0) {
						limit = math.Max(limit, math.Abs(v))
					}
				}
			}
		}
		if limit == 0 {
			limit = 1
		}
	}
	pal := moreland.SmoothBlueRed()
	pal.SetMin(-limit)
	pal.SetMax(limit)
	colors := pal.Palette(255)
	grid := make([][]*plot.Plot, len(rows))
	for i, r := range rows {
		if len(r.Images) > len(cols) {
			return nil, fmt.Errorf("plots: row %s has %d images for %d columns", r.Name, len(r.Images), len(cols))
		}
		grid[i] = make([]*plot.Plot, len(cols))
		for j := range cols {
			p := plot.New()
			p.HideAxes()
			if i == 0 {
				p.Title.Text = cols[j]
			}
			if j == 0 {
				p.Y.Label.Text = r.Name
				p.Y.Tick.Marker = plot.ConstantTicks(nil)
				p.Y.LineStyle.Width = 0
				p.HideX()
			}
			if j < len(r.Images) && r.Images[j] != nil {
				if len(r.Images[j]) != h*w {
					return nil, fmt.Errorf("plots: row %s image %d has %d values, want %d×%d", r.Name, j, len(r.Images[j]), h, w)
				}
				hm := plotter.NewHeatMap(image{r.Images[j], h, w}, colors)
				hm.Min, hm.Max = -limit, limit
				// Values beyond ±limit take the end colours (saturate), as
				// imshow's vmin and vmax do; NaN stays empty.
				cs := colors.Colors()
				hm.Underflow, hm.Overflow = cs[0], cs[len(cs)-1]
				p.Add(hm)
			}
			grid[i][j] = p
		}
	}
	cell := 1.3 * vg.Inch
	width, height := vg.Length(len(cols))*cell+0.6*vg.Inch, vg.Length(len(rows))*cell+0.5*vg.Inch
	img := vgimg.New(width, height)
	dc := draw.New(img)
	if title != "" {
		sty := plot.New().Title.TextStyle
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		dc.FillText(sty, vg.Point{X: width / 2, Y: height - vg.Millimeter}, title)
		dc = draw.Crop(dc, 0, 0, 0, -0.25*vg.Inch)
	}
	tiles := draw.Tiles{Rows: len(rows), Cols: len(cols), PadX: vg.Millimeter, PadY: vg.Millimeter}
	canvases := plot.Align(grid, tiles, dc)
	for i := range grid {
		for j := range grid[i] {
			grid[i][j].Draw(canvases[i][j])
		}
	}
	return encode(img)
}

// image adapts an H×W row-major field to plotter.GridXYZ, row 0 on top.
type image struct {
	v    []float64
	h, w int
}

func (m image) Dims() (c, r int)   { return m.w, m.h }
func (m image) Z(c, r int) float64 { return m.v[(m.h-1-r)*m.w+c] }
func (m image) X(c int) float64    { return float64(c) }
func (m image) Y(r int) float64    { return float64(r) }
