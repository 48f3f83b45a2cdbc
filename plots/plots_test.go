package plots

import (
	"bytes"
	"image/png"
	"math"
	"testing"
)

// decode checks that b is a PNG of the given size in pixels (gonum/plot
// renders at 96 dots per inch).
func decode(t *testing.T, b []byte, w, h int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got.X != w || got.Y != h {
		t.Errorf("image is %v, want %dx%d", got, w, h)
	}
}

func TestLines(t *testing.T) {
	b, err := Lines("loss", "step", "mse", true,
		Series{Name: "train", X: []float64{1, 2, 3}, Y: []float64{1, 0.5, 0.25}},
		Series{Name: "valid", X: []float64{1, 2, 3}, Y: []float64{1.1, 0.6, 0.3}})
	if err != nil {
		t.Fatal(err)
	}
	decode(t, b, 7*96, pixels(4.5))
	if _, err := Lines("loss", "step", "mse", true, Series{Name: "bad", X: []float64{1}, Y: []float64{0}}); err == nil {
		t.Error("a zero on a log axis was accepted")
	}
}

func TestPanels(t *testing.T) {
	ens := Ensemble{Name: "posterior", Members: [][]float64{{0, 1, 2}, {0, 1.5, 2.5}}}
	b, err := Panels("title", []Panel{
		{Title: "a", Ensembles: []Ensemble{ens}, Truth: []float64{0, 1, 2}, ObsT: []float64{0, 2}, ObsY: []float64{0.1, 2.1}},
		{Title: "b", Ensembles: []Ensemble{ens}},
	})
	if err != nil {
		t.Fatal(err)
	}
	decode(t, b, 8*96, pixels(2*2.6))
}

func TestMetricsCutsAxis(t *testing.T) {
	cut := -10.0
	b, err := Metrics("m", []MetricPanel{{
		Title: "log prior", XLabel: "C", YMin: &cut,
		Series:     []Series{{Name: "k=2", X: []float64{0, 1, 2}, Y: []float64{-1e4, -5, -2}}},
		References: []Reference{{Name: "filter", Y: 1}},
	}, {
		Title: "W1", XLabel: "C",
		Series: []Series{{Name: "k=2", X: []float64{1}, Y: []float64{math.Pi}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// Two legend entries in the strip below: 2 × 0.22 + 0.15 inches.
	decode(t, b, pixels(2*4.2), pixels(4+2*0.22+0.15))
}

// pixels converts inches to whole pixels at 96 dpi, rounded as vgimg
// sizes its image.
func pixels(inches float64) int { return int(math.Round(inches * 96)) }

func TestFields(t *testing.T) {
	h, w := 8, 8
	img := make([]float64, h*w)
	for i := range img {
		img[i] = math.Sin(float64(i))
	}
	rows := []FieldRow{{Name: "truth", Images: [][]float64{img, img, img}}, {Name: "sample", Images: [][]float64{img, nil, img}}}
	b, err := Fields("fields", rows, []string{"t = 0", "t = 1", "t = 2"}, h, w, 0)
	if err != nil {
		t.Fatal(err)
	}
	cell := 1.3
	decode(t, b, pixels(3*cell+0.6), pixels(2*cell+0.5))
	if _, err := Fields("bad", []FieldRow{{Name: "x", Images: [][]float64{img[:10]}}}, []string{"a"}, h, w, 1); err == nil {
		t.Error("an image of the wrong size was accepted")
	}
}

// TestHugeFlatValues: a diverged posterior's metrics and trajectories can
// be 10^22 and flat (one point, one constant line), where gonum/plot's own
// ±1 widening is lost in rounding and its tick marker panics; every
// figure still draws.
func TestHugeFlatValues(t *testing.T) {
	if _, err := Metrics("m", []MetricPanel{{
		Title: "RMSE", XLabel: "C",
		Series: []Series{{Name: "k=2", X: []float64{1}, Y: []float64{6.467e22}}},
	}}); err != nil {
		t.Fatal(err)
	}
	flat := []float64{-3e30, -3e30, -3e30}
	if _, err := Panels("t", []Panel{{Title: "x", Ensembles: []Ensemble{{Name: "p", Members: [][]float64{flat}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Lines("l", "step", "loss", false, Series{Name: "s", X: []float64{1e60}, Y: []float64{1e60}}); err != nil {
		t.Fatal(err)
	}
}
