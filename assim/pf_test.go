package assim

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"sdapipe/dynamics"
)

// TestSystematicResampling: particle i is drawn ⌊N·w_i⌋ or ⌈N·w_i⌉ times,
// and the indices are sorted.
func TestSystematicResampling(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 50
	w := make([]float64, n)
	for trial := range 20 {
		var s float64
		for i := range w {
			w[i] = math.Exp(3 * rng.NormFloat64())
			s += w[i]
		}
		for i := range w {
			w[i] /= s
		}
		idx := make([]int, n)
		systematic(idx, w, rng.Float64())
		count := make([]int, n)
		for j, i := range idx {
			count[i]++
			if j > 0 && idx[j-1] > i {
				t.Fatalf("trial %d: indices not sorted", trial)
			}
		}
		for i, c := range count {
			e := n * w[i]
			if float64(c) < math.Floor(e)-1e-9 || float64(c) > math.Ceil(e)+1e-9 {
				t.Fatalf("trial %d: particle %d drawn %d times, expected %.3f", trial, i, c, e)
			}
		}
	}
}

// TestPFReweightIsBayes: reweighting equal weights by a Gaussian
// likelihood gives w_i ∝ exp(−½(y − x_i)²/r), and the ESS is 1/Σw².
func TestPFReweightIsBayes(t *testing.T) {
	t.Parallel()
	x0 := []float64{0, 1, 2, 3}
	p, err := NewPF(onedModel{}, x0, PFConfig{NER: 0.5, Reg: 1})
	if err != nil {
		t.Fatal(err)
	}
	const y, r = 1.2, 0.5
	p.Reweight(Identity(1), []float64{y}, []float64{r})
	var s, s2 float64
	want := make([]float64, 4)
	for i, x := range x0 {
		want[i] = math.Exp(-0.5 * (y - x) * (y - x) / r)
		s += want[i]
	}
	for i := range want {
		want[i] /= s
		s2 += want[i] * want[i]
		if math.Abs(p.Weights()[i]-want[i]) > 1e-15 {
			t.Fatalf("weights %v, want %v", p.Weights(), want)
		}
	}
	if math.Abs(p.ESS()-1/s2) > 1e-12 {
		t.Fatalf("ESS %v, want %v", p.ESS(), 1/s2)
	}
	mean := make([]float64, 1)
	p.Mean(mean)
	var m float64
	for i, x := range x0 {
		m += want[i] * x
	}
	if math.Abs(mean[0]-m) > 1e-15 {
		t.Fatalf("mean %v, want %v", mean[0], m)
	}
}

// TestPFResampleJittersDuplicatesOnly: with one heavy particle, resampling
// copies it and jitters the copies but not the particles drawn once; the
// weights become equal; above the NER threshold nothing happens.
func TestPFResampleJittersDuplicatesOnly(t *testing.T) {
	t.Parallel()
	const n = 10
	x0 := make([]float64, n)
	for i := range x0 {
		x0[i] = float64(i)
	}
	p, err := NewPF(onedModel{}, x0, PFConfig{NER: 0.5, Reg: 1})
	if err != nil {
		t.Fatal(err)
	}
	if p.Resample(rand.New(rand.NewPCG(1, 1))) {
		t.Fatal("resampled with ESS = N")
	}
	p.Reweight(Identity(1), []float64{4.9}, []float64{0.1})
	if !p.Resample(rand.New(rand.NewPCG(1, 1))) {
		t.Fatalf("did not resample at ESS %v", p.ESS())
	}
	near := 0
	for i, x := range p.Particles() {
		if x == math.Trunc(x) {
			// An exact original value must be a particle drawn once.
			for j, y := range p.Particles() {
				if j != i && y == x {
					t.Fatalf("particle %v appears twice unjittered", x)
				}
			}
		}
		if math.Abs(x-5) < 2 {
			near++
		}
		if p.Weights()[i] != 1.0/n {
			t.Fatalf("weight %v after resampling", p.Weights()[i])
		}
	}
	if near < n/2 {
		t.Fatalf("particles %v: the heavy ones near 5 were not copied", p.Particles())
	}
}

func TestPFConfigErrors(t *testing.T) {
	t.Parallel()
	for _, cfg := range []PFConfig{{NER: 0}, {NER: 1.5}, {NER: 0.5, Reg: -1}} {
		if _, err := NewPF(onedModel{}, []float64{1, 2}, cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: err = %v, want ErrConfig", cfg, err)
		}
	}
}

// onedModel is the 1-D identity map without noise.
type onedModel struct{}

func (onedModel) StateShape() []int            { return []int{1} }
func (onedModel) NoiseVar() float64            { return 0 }
func (onedModel) NewStepper() dynamics.Stepper { return identityStepper{} }

type identityStepper struct{}

func (identityStepper) Map(dst, x []float64) { copy(dst, x) }
