package nn

import (
	"math"
	"testing"
)

func TestAdamWHandComputed(t *testing.T) {
	t.Parallel()
	// One parameter p = 1 with gradients 0.5 then −0.25, lr 0.1, wd 0.01,
	// evaluated by hand in float64 from torch's formula:
	// step 1: p = 1·(1 − 0.001) = 0.999; m = 0.05; v = 0.00025;
	//         m̂/(√v̂ + eps) = 0.5/(0.5 + 1e-8) → p = 0.999 − 0.1·(1 − 2e-8)
	// step 2: p ← p·0.999; m = 0.045 − 0.025 = 0.02; v = 0.00024975 + 0.0000625
	//         p ← p − 0.1/(1 − 0.81)·m/(√v/√(1 − 0.998001) + 1e-8)
	p := &Param{Name: "p", Shape: []int{1}, Data: []float32{1}, Grad: []float32{0.5}}
	o := NewAdamW([]*Param{p}, 0.1, 0.01)
	o.Step()
	want1 := 0.999 - 0.1*0.5/(0.5+1e-8)
	if !near(float64(p.Data[0]), want1, 1e-7, 0) {
		t.Fatalf("after step 1: %.9g, want %.9g", p.Data[0], want1)
	}
	p.Grad[0] = -0.25
	o.Step()
	m, v := 0.02, 0.00024975+0.0000625
	want2 := want1*0.999 - 0.1/(1-0.81)*m/(math.Sqrt(v)/math.Sqrt(1-0.998001)+1e-8)
	// float32 arithmetic on values of O(1): 2 ulp.
	if !near(float64(p.Data[0]), want2, 2.4e-7, 0) {
		t.Fatalf("after step 2: %.9g, want %.9g", p.Data[0], want2)
	}
	if o.Steps() != 2 {
		t.Fatalf("Steps() = %d, want 2", o.Steps())
	}
}

func TestLinearDecay(t *testing.T) {
	t.Parallel()
	cases := []struct {
		step, steps int
		want        float64
	}{{0, 10, 1e-3}, {5, 10, 5e-4}, {9, 10, 1e-4}}
	for _, c := range cases {
		if got := LinearDecay(1e-3, c.step, c.steps); math.Abs(got-c.want) > 1e-18 {
			t.Errorf("LinearDecay(1e-3, %d, %d) = %g, want %g", c.step, c.steps, got, c.want)
		}
	}
}

func TestAdamWKernelPathsBitIdentical(t *testing.T) {
	// The assembly updates perform the portable one's float32 operations in
	// the same order without fusing them: results must be identical. Not
	// parallel: it switches the kernel path.
	forAsmPaths(t, testAdamWPath)
}

func testAdamWPath(t *testing.T) {
	rng := newTestRand()
	for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 100, 1000, -1, -7, -9, -17, -100} {
		var g2 []float32
		if n < 0 { // with a second gradient added in the same pass
			n = -n
			g2 = randVec(rng, n)
		}
		p, g, m, v := randVec(rng, n), randVec(rng, n), randVec(rng, n), randVec(rng, n)
		for i := range v {
			v[i] *= v[i]
		}
		j1 := adamJob{p: append([]float32(nil), p...), g: append([]float32(nil), g...), m: append([]float32(nil), m...),
			v: append([]float32(nil), v...), g2: g2,
			adamScalars: adamScalars{0.999, 0.9, 0.1, 0.999, 0.001, -0.01, 1e-8, 0.03}}
		j2 := j1
		j2.p, j2.m, j2.v = append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
		j2.g = append([]float32(nil), g...)
		j1.run(0, n)
		j2.runGo(0, n)
		for i := range p {
			if math.Float32bits(j1.p[i]) != math.Float32bits(j2.p[i]) || j1.m[i] != j2.m[i] || j1.v[i] != j2.v[i] || j1.g[i] != j2.g[i] {
				t.Fatalf("n=%d [%d]: assembly p,m,v = %g,%g,%g; Go %g,%g,%g", n, i, j1.p[i], j1.m[i], j1.v[i], j2.p[i], j2.m[i], j2.v[i])
			}
		}
	}
}
