package metrics

import (
	"math"
	"testing"
)

// shift is a Forecaster whose dynamics add 1 to every value per interval.
type shift struct{}

func (shift) Forecast(dst, x []float64) error {
	d := len(x)
	for t := range len(dst) / d {
		for k := range d {
			dst[t*d+k] = x[k] + float64(t+1)
		}
	}
	return nil
}

func TestPhysics(t *testing.T) {
	// Two samples of 3 states of 2 values: the first follows the dynamics
	// exactly, the second's later states are off by 0 then 2 in one value.
	samples := []float64{
		0, 1, 1, 2, 2, 3,
		5, 5, 6, 6, 7, 9,
	}
	dst, resim := make([]float64, 3), make([]float64, len(samples))
	if err := Physics(dst, resim, shift{}, samples, 2, 2); err != nil {
		t.Fatal(err)
	}
	// State 2: one error of 2 among 2 samples × 2 values: √(4/4) = 1.
	want := []float64{0, 0, 1}
	for i := range want {
		if math.Abs(dst[i]-want[i]) > 1e-15 {
			t.Fatalf("Physics = %v, want %v", dst, want)
		}
	}
	if resim[10] != 7 || resim[11] != 7 || resim[0] != 0 {
		t.Errorf("re-simulation %v", resim)
	}
}

func TestStateRMSE(t *testing.T) {
	samples := []float64{1, 1, 0, 0, 3, 3, 2, 4}
	truth := []float64{2, 2, 1, 2}
	dst := make([]float64, 2)
	StateRMSE(dst, samples, truth, 2)
	// Mean (2, 2), (1, 2): state 0 exact, state 1 exact.
	if dst[0] != 0 || dst[1] != 0 {
		t.Fatalf("StateRMSE = %v", dst)
	}
	StateRMSE(dst, samples, []float64{2, 2, 1, 5}, 2)
	if math.Abs(dst[1]-math.Sqrt(4.5)) > 1e-15 {
		t.Fatalf("StateRMSE = %v, want [0 √4.5]", dst)
	}
}

// flatSpectrum puts a state's mean value into bin 1 and twice it into bin 2.
type flatSpectrum struct{}

func (flatSpectrum) Bins() int { return 3 }
func (flatSpectrum) EnergySpectrum(dst, x []float64) {
	var m float64
	for _, v := range x {
		m += v / float64(len(x))
	}
	dst[0], dst[1], dst[2] = 0, m, 2*m
}

func TestSpectra(t *testing.T) {
	s := MeanSpectrum(flatSpectrum{}, []float64{1, 1, 3, 3}, 2)
	if s[1] != 2 || s[2] != 4 {
		t.Fatalf("MeanSpectrum = %v", s)
	}
	if e := SpectrumError(s, []float64{0, 4, 8}, 2); math.Abs(e-math.Log10(2)) > 1e-15 {
		t.Errorf("SpectrumError for a factor 2 = %v, want log10 2", e)
	}
	if e := SpectrumError(s, s, 2); e != 0 {
		t.Errorf("SpectrumError of equal spectra = %v", e)
	}
	if e := SpectrumError([]float64{1, 0}, []float64{1, 0}, 1); !math.IsNaN(e) {
		t.Errorf("SpectrumError with no positive bin = %v, want NaN", e)
	}
}
