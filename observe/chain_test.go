package observe

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

func mustChain(t testing.TB, length int, state []int, steps ...StepDesc) *Chain {
	t.Helper()
	c, err := NewChain(length, state, steps)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// op is a StepDesc from alternating names and values.
func op(name string, kv ...any) StepDesc {
	d := StepDesc{Op: name, Settings: map[string]any{}}
	for i := 0; i < len(kv); i += 2 {
		d.Settings[kv[i].(string)] = kv[i+1]
	}
	return d
}

// fieldEvent is the event of testdata/make_chain_refs.py: length states
// (2, 64, 64) with
//
//	x[t, c, i, j] = sin(0.37t + 1.1c + 0.29i − 0.41j) + ½ cos(0.013(i+1)(j+2) + 0.7t + c).
func fieldEvent(length int) []float64 {
	x := make([]float64, 0, length*2*64*64)
	for t := range length {
		for c := range 2 {
			for i := range 64 {
				for j := range 64 {
					tf, cf, fi, fj := float64(t), float64(c), float64(i), float64(j)
					x = append(x, math.Sin(0.37*tf+1.1*cf+0.29*fi-0.41*fj)+
						0.5*math.Cos(0.013*(fi+1)*(fj+2)+0.7*tf+cf))
				}
			}
		}
	}
	return x
}

// kolmogorov returns docs/method.md §4.3's six Kolmogorov observation
// operators as chains, with their event lengths; the names match
// testdata/make_chain_refs.py.
func kolmogorov() []struct {
	name   string
	length int
	steps  []StepDesc
} {
	type sc = struct {
		name   string
		length int
		steps  []StepDesc
	}
	out := []sc{
		{"1 assimilation", 29, []StepDesc{op("every", "n", 4), op("coarsen", "factor", 8)}},
		{"2 partial field", 8, []StepDesc{op("coarsen", "factor", 4), op("states", "indices", []int{0, 3, 6}),
			op("crop", "rows", []int{4, 12}, "cols", []int{4, 12})}},
		{"3 saturation", 8, []StepDesc{op("every", "n", 3), op("coarsen", "factor", 4), op("vorticity"), op("saturate"),
			op("crop", "rows", []int{2, 14}, "cols", []int{2, 14})}},
	}
	for _, r := range []int{2, 4, 8, 16} {
		out = append(out, sc{fmt.Sprintf("4 subsample %d", r), 8, []StepDesc{op("subsample", "stride", r)}})
	}
	return append(out,
		sc{"4 subsample 7::16", 8, []StepDesc{op("subsample", "stride", 16, "offset", 7)}},
		sc{"5 circle", 8, []StepDesc{op("states", "indices", []int{-1}), op("vorticity"), op("mask", "inner", 0.4, "outer", 0.6)}},
		sc{"6 loop", 127, []StepDesc{op("loop")}},
	)
}

// TestKolmogorovScenarios builds docs/method.md §4.3's six Kolmogorov
// operators as chains and checks their output shapes and values against
// PyTorch: the reference rows are the output of
// `/usr/bin/python3 testdata/make_chain_refs.py` (torch 1.13, float64),
// the observation's shape and Σ y_k, Σ y_k², Σ ((k mod 7) − 3)·y_k.
// Scenario 5's torch output is (64, 64), the chain's (1, 64, 64): the same
// 4096 values.
func TestKolmogorovScenarios(t *testing.T) {
	refs := map[string]struct {
		shape []int
		sums  [3]float64
	}{}
	for _, r := range []struct {
		name  string
		shape []int
		sums  [3]float64
	}{
		{"1 assimilation", []int{8, 2, 8, 8}, [3]float64{-3.426386493520633, 143.18505791329025, -6.044032977391131}},
		{"2 partial field", []int{3, 2, 8, 8}, [3]float64{1.5951619968251958, 163.85822271835707, -45.120139506485074}},
		{"3 saturation", []int{3, 12, 12}, [3]float64{0.37295028416673404, 92.39533530770684, -3.2525408287779305}},
		{"4 subsample 2", []int{8, 2, 32, 32}, [3]float64{-32.32907741579707, 10227.52465422803, -12.430837861509538}},
		{"4 subsample 4", []int{8, 2, 16, 16}, [3]float64{-15.8118020753308, 2556.4042468343596, -14.618385516152351}},
		{"4 subsample 8", []int{8, 2, 8, 8}, [3]float64{-17.96136245583853, 636.1114740399573, -21.424718959515015}},
		{"4 subsample 16", []int{8, 2, 4, 4}, [3]float64{1.3760687652940709, 131.01662975893572, -0.6272420156562419}},
		{"4 subsample 7::16", []int{8, 2, 4, 4}, [3]float64{5.5595360612311735, 175.90120633617028, -5.76731593810028}},
		{"5 circle", []int{1, 64, 64}, [3]float64{13.212570275805625, 128.7912792169459, 34.40077678851855}},
		{"6 loop", []int{2, 64, 64}, [3]float64{57.210310834441444, 15429.393544298713, -41.39192529715113}},
	} {
		refs[r.name] = struct {
			shape []int
			sums  [3]float64
		}{r.shape, r.sums}
	}
	events := map[int][]float64{}
	for _, sc := range kolmogorov() {
		t.Run(sc.name, func(t *testing.T) {
			ref, ok := refs[sc.name]
			if !ok {
				t.Fatalf("no reference for %s", sc.name)
			}
			c := mustChain(t, sc.length, []int{2, 64, 64}, sc.steps...)
			if !slices.Equal(c.OutShape(), ref.shape) || c.Outputs() != prod(ref.shape) {
				t.Fatalf("OutShape() = %v (%d values), want %v", c.OutShape(), c.Outputs(), ref.shape)
			}
			x, ok := events[sc.length]
			if !ok {
				x = fieldEvent(sc.length)
				events[sc.length] = x
			}
			y := make([]float64, c.Outputs())
			c.Apply64(y, x)
			var got [3]float64
			var scale float64 // Σ|y_k|·(1 + |y_k|): the size of the sums' terms
			for k, v := range y {
				got[0] += v
				got[1] += v * v
				got[2] += float64(k%7-3) * v
				scale += math.Abs(v) * (1 + math.Abs(v))
			}
			for i := range got {
				// Sums of up to 16384 terms in different orders, and inputs
				// whose sin/cos may differ by an ulp between Go and glibc:
				// 1e-14 of the terms' total size (seen: at most 5e-16 of it).
				if math.Abs(got[i]-ref.sums[i]) > 1e-14*scale {
					t.Errorf("sum %d = %.17g, torch %.17g", i, got[i], ref.sums[i])
				}
			}
		})
	}
}

// smallChains are chains on small fields for the gradient checks: a
// non-linear step first, in the middle and last, and a linear chain.
func smallChains(t *testing.T) []*Chain {
	return []*Chain{
		// Scenario 3 shrunk: every 2, coarsen 2, vorticity, saturate, crop.
		mustChain(t, 5, []int{2, 8, 6}, op("every", "n", 2), op("coarsen", "factor", 2), op("vorticity"), op("saturate"),
			op("crop", "rows", []int{1, 3}, "cols", []int{0, 2})),
		mustChain(t, 3, []int{2, 4, 4}, op("saturate"), op("coarsen", "factor", 2), op("loop")),
		mustChain(t, 4, []int{2, 6, 6}, op("states", "indices", []int{-1, 1}), op("vorticity"), op("mask", "inner", 0.1, "outer", 0.9)),
		// Scenario 2 shrunk: linear throughout.
		mustChain(t, 7, []int{2, 8, 8}, op("coarsen", "factor", 2), op("states", "indices", []int{0, 3, 6}),
			op("crop", "rows", []int{1, 3}, "cols", []int{1, 4}), op("subsample", "stride", 2)),
	}
}

// TestChainDerivatives checks each chain's VJP and JVP (see
// checkDerivatives), and the adjoint identity of a linear chain.
func TestChainDerivatives(t *testing.T) {
	for i, c := range smallChains(t) {
		t.Run(c.Describe().String(), func(t *testing.T) {
			l, d := c.Shape()
			rng := rand.New(rand.NewPCG(11, uint64(i)))
			checkDerivatives(t, l*d, c.Outputs(), c, rng)
		})
	}
	c := smallChains(t)[3]
	rng := rand.New(rand.NewPCG(12, 13))
	l, d := c.Shape()
	dx, g := randVec(rng, l*d, 1), randVec(rng, c.Outputs(), 1)
	ax, atg := make([]float64, c.Outputs()), make([]float64, l*d)
	c.Apply64(ax, dx)
	c.VJP64(atg, make([]float64, l*d), g)
	// As in TestStepAdjoint: two orderings of the same sums.
	if lhs, rhs := dot(ax, g), dot(dx, atg); !scalar.EqualWithinAbsOrRel(lhs, rhs, 1e-12, 1e-12) {
		t.Errorf("⟨A δx, g⟩ = %.17g, ⟨δx, Aᵀg⟩ = %.17g", lhs, rhs)
	}
}

// TestChainDescribe stores each scenario's description as JSON, builds it
// again and checks the rebuilt chain's description, JSON and values.
func TestChainDescribe(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sc := range kolmogorov()[:3] {
		c := mustChain(t, sc.length, []int{2, 64, 64}, sc.steps...)
		b, err := json.Marshal(c.Describe())
		if err != nil {
			t.Fatal(err)
		}
		var back Description
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		op2, err := Build(back) // settings now float64 and []any
		if err != nil {
			t.Fatalf("Build(%s): %v", b, err)
		}
		b2, err := json.Marshal(op2.Describe())
		if err != nil {
			t.Fatal(err)
		}
		if string(b2) != string(b) {
			t.Errorf("rebuilt description\n%s\nwant\n%s", b2, b)
		}
		if _, ok := op2.(*Chain); !ok {
			t.Fatalf("Build gave a %T", op2)
		}
		x := randVec(rng, sc.length*2*64*64, 1)
		y1, y2 := make([]float64, c.Outputs()), make([]float64, op2.Outputs())
		c.Apply64(y1, x)
		op2.Apply64(y2, x)
		if !slices.Equal(y1, y2) {
			t.Errorf("%s: the rebuilt chain computes other values", sc.name)
		}
	}

	// Defaults are filled in, so a chain with and one without offset = 0
	// describe (and hash) alike.
	a := mustChain(t, 29, []int{2, 64, 64}, op("every", "n", 4))
	b := mustChain(t, 29, []int{2, 64, 64}, op("every", "n", int64(4), "offset", 0.0))
	ja, _ := json.Marshal(a.Describe())
	jb, _ := json.Marshal(b.Describe())
	want := `{"kind":"chain","length":29,"dim":8192,"state":[2,64,64],"steps":[{"op":"every","settings":{"n":4,"offset":0}}],"out":[8,2,64,64],"outputs":65536}`
	if string(ja) != want || string(jb) != want {
		t.Errorf("descriptions\n%s\n%s\nwant\n%s", ja, jb, want)
	}
}

// TestOldDescriptionsUnchanged pins the JSON of a select description, on
// which the Lorenz study's stored digests depend: the fields chains added
// stay out of it.
func TestOldDescriptionsUnchanged(t *testing.T) {
	lo, err := NewSelect(65, 3, []int{0}, mustEvery(t, 0, 8, 65))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(lo.Describe())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"select","length":65,"dim":3,"vars":[0],"times":[0,8,16,24,32,40,48,56,64],"outputs":9}`
	if string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	n, err := NewNorm(4, 3, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(n.Describe()); string(b) != `{"kind":"norm","length":4,"dim":3,"times":[1],"outputs":1}` {
		t.Errorf("norm JSON %s", b)
	}
}

func TestChainTimes(t *testing.T) {
	for _, tc := range []struct {
		c    *Chain
		want []int // nil: no time axis
	}{
		{mustChain(t, 29, []int{2, 8, 8}, op("every", "n", 4), op("coarsen", "factor", 8)), []int{0, 4, 8, 12, 16, 20, 24, 28}},
		{mustChain(t, 10, []int{3}, op("every", "n", 2, "offset", 1), op("states", "indices", []int{-1, 0, 2})), []int{9, 1, 5}},
		{mustChain(t, 8, []int{2, 4, 4}, op("vorticity"), op("saturate")), []int{0, 1, 2, 3, 4, 5, 6, 7}},
		{mustChain(t, 8, []int{2, 4, 4}, op("states", "indices", []int{3, 5}), op("loop")), nil},
	} {
		got, ok := tc.c.Times()
		if ok != (tc.want != nil) || !slices.Equal(got, tc.want) {
			t.Errorf("%s: Times() = %v, %v; want %v", tc.c.Describe(), got, ok, tc.want)
		}
	}
}

func TestChainString(t *testing.T) {
	for _, tc := range []struct {
		c    *Chain
		want string
	}{
		{mustChain(t, 29, []int{2, 64, 64}, op("every", "n", 4), op("coarsen", "factor", 8)),
			"every n=4 | coarsen factor=8 of (29, 2, 64, 64) -> (8, 2, 8, 8) = 1024 values"},
		{mustChain(t, 8, []int{2, 64, 64}, op("states", "indices", []int{0, 3, 6}), op("subsample", "stride", 16, "offset", 7),
			op("crop", "rows", []int{1, 3}, "cols", []int{0, 4})),
			"states indices=[0,3,6] | subsample stride=16 offset=7 | crop rows=[1,3] cols=[0,4] of (8, 2, 64, 64) -> (3, 2, 2, 4) = 48 values"},
		{mustChain(t, 8, []int{2, 64, 64}, op("states", "indices", []int{-1}), op("vorticity"), op("mask")),
			"states indices=[-1] | vorticity | mask of (8, 2, 64, 64) -> (1, 64, 64) = 4096 values"},
		{mustChain(t, 8, []int{2, 64, 64}, op("mask", "inner", 0.25, "outer", 1)),
			"mask inner=0.25 outer=1 of (8, 2, 64, 64) -> (8, 2, 64, 64) = 65536 values"},
	} {
		if got := tc.c.Describe().String(); got != tc.want {
			t.Errorf("String() = %q\nwant       %q", got, tc.want)
		}
	}
}

func TestChainBuildErrors(t *testing.T) {
	good := mustChain(t, 8, []int{2, 16, 16}, op("coarsen", "factor", 4)).Describe()
	for _, tc := range []struct {
		name string
		edit func(*Description)
		msg  string
	}{
		{"dim", func(d *Description) { d.Dim = 7 },
			"observe: invalid operator: description says 7 variables per state but the state (2, 16, 16) has 512"},
		{"out", func(d *Description) { d.Out = []int{8, 2, 2, 2} },
			"observe: invalid operator: description says the observation is (8, 2, 2, 2) but the steps give (8, 2, 4, 4)"},
		{"outputs", func(d *Description) { d.Outputs = 3 },
			"observe: invalid operator: description says 3 outputs but the operator has 256"},
		{"times", func(d *Description) { d.Times = []int{0} },
			"observe: invalid operator: a chain operator takes no vars or times: its steps say what is observed"},
		{"no steps", func(d *Description) { d.Steps = nil },
			"observe: invalid operator: a chain needs at least one op (every, states, loop, coarsen, subsample, crop, vorticity, saturate, mask)"},
		{"no state", func(d *Description) { d.State = nil },
			"observe: invalid operator: event shape (8) must have at least one state of at least one value"},
		{"select with steps", func(d *Description) { d.Kind = KindSelect; d.Vars = []int{0}; d.Times = []int{0} },
			"observe: invalid operator: a select operator takes no state, steps or out (only a chain does)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := good
			d.Steps = slices.Clone(good.Steps)
			tc.edit(&d)
			_, err := Build(d)
			if err == nil || err.Error() != tc.msg {
				t.Fatalf("error = %v\nwant    %s", err, tc.msg)
			}
		})
	}
}

// TestChainConcurrent applies one chain from two goroutines at once; each
// must get what a lone call gets. Run it under -race.
func TestChainConcurrent(t *testing.T) {
	c := smallChains(t)[0]
	l, d := c.Shape()
	rng := rand.New(rand.NewPCG(21, 22))
	xs, gs := make([][]float32, 2), make([][]float32, 2)
	wantY, wantG := make([][]float32, 2), make([][]float32, 2)
	for w := range 2 {
		xs[w], gs[w] = f32(randVec(rng, l*d, 1)), f32(randVec(rng, c.Outputs(), 1))
		wantY[w], wantG[w] = make([]float32, c.Outputs()), make([]float32, l*d)
		c.Apply32(wantY[w], xs[w])
		c.VJP32(wantG[w], xs[w], gs[w])
	}
	var wg sync.WaitGroup
	errs := make([]string, 2)
	for w := range 2 {
		wg.Go(func() {
			y, gx := make([]float32, c.Outputs()), make([]float32, l*d)
			for range 200 {
				c.Apply32(y, xs[w])
				clear(gx)
				c.VJP32(gx, xs[w], gs[w])
				if !slices.Equal(y, wantY[w]) || !slices.Equal(gx, wantG[w]) {
					errs[w] = "results differ from a lone call"
					return
				}
			}
		})
	}
	wg.Wait()
	for w, e := range errs {
		if e != "" {
			t.Errorf("goroutine %d: %s", w, e)
		}
	}
}

// TestChainNoAlloc checks that a warm chain does not allocate.
func TestChainNoAlloc(t *testing.T) {
	for _, c := range smallChains(t) {
		l, d := c.Shape()
		x, gx, y := make([]float32, l*d), make([]float32, l*d), make([]float32, c.Outputs())
		x64, gx64, y64 := make([]float64, l*d), make([]float64, l*d), make([]float64, c.Outputs())
		run := func() {
			c.Apply32(y, x)
			c.VJP32(gx, x, y)
			c.JVP32(y, x, gx)
			c.Apply64(y64, x64)
			c.VJP64(gx64, x64, y64)
			c.JVP64(y64, x64, gx64)
		}
		run() // warm the scratch
		if n := testing.AllocsPerRun(50, run); n != 0 {
			t.Errorf("%s: Apply+VJP+JVP allocated %v times per call, want 0", c.Describe(), n)
		}
	}
}

func TestChainLengthPanics(t *testing.T) {
	c := mustChain(t, 3, []int{2, 4, 4}, op("coarsen", "factor", 2), op("loop"))
	for _, tc := range []struct {
		call func()
		msg  string
	}{
		{func() { c.Apply32(make([]float32, 8), make([]float32, 95)) }, "observe: Chain.Apply: len(x) = 95, want 96"},
		{func() { c.Apply64(make([]float64, 9), make([]float64, 96)) }, "observe: Chain.Apply: len(y) = 9, want 8"},
		{func() { c.VJP32(make([]float32, 95), make([]float32, 96), make([]float32, 8)) }, "observe: Chain.VJP: len(gx) = 95, want 96"},
		{func() { c.Steps()[0].Apply64(make([]float64, 23), make([]float64, 96)) }, "observe: coarsen.Apply: len(y) = 23, want 24"},
		{func() { c.Steps()[1].VJP64(make([]float64, 24), make([]float64, 24), make([]float64, 7)) }, "observe: loop.VJP: len(g) = 7, want 8"},
		{func() { c.JVP64(make([]float64, 8), make([]float64, 96), make([]float64, 9)) }, "observe: Chain.JVP: len(dx) = 9, want 96"},
		{func() { c.Steps()[0].JVP32(make([]float32, 24), make([]float32, 96), make([]float32, 95)) }, "observe: coarsen.JVP: len(dx) = 95, want 96"},
	} {
		func() {
			defer func() {
				if msg, _ := recover().(string); msg != tc.msg {
					t.Errorf("panic %q, want %q", msg, tc.msg)
				}
			}()
			tc.call()
		}()
	}
}

// BenchmarkChain times scenario 1 (every 4, coarsen 8 of (29, 2, 64, 64))
// and scenario 3 (every 3, coarsen 4, vorticity, saturate, crop of
// (8, 2, 64, 64)) per event, Apply32 then VJP32, as guided sampling calls
// them.
func BenchmarkChain(b *testing.B) {
	for _, sc := range kolmogorov()[:3] {
		if sc.name == "2 partial field" {
			continue
		}
		b.Run(strings.Fields(sc.name)[1], func(b *testing.B) {
			c := mustChain(b, sc.length, []int{2, 64, 64}, sc.steps...)
			l, d := c.Shape()
			x, gx, y := f32(fieldEvent(sc.length)), make([]float32, l*d), make([]float32, c.Outputs())
			c.VJP32(gx, x, y) // warm the scratch
			b.ReportAllocs()
			b.SetBytes(int64(4 * l * d))
			for b.Loop() {
				c.Apply32(y, x)
				c.VJP32(gx, x, y)
			}
		})
	}
}

// TestChainRegion maps observation pixels back to the state's plane: the
// rectangle each one summarises, through coarsening, crops, strided
// subsampling (clipped at the edge), time and channel steps.
func TestChainRegion(t *testing.T) {
	tests := []struct {
		name   string
		state  []int
		steps  []StepDesc
		r, c   int
		want   [4]int
		wantOK bool
	}{
		{"coarsen then crop", []int{2, 64, 64}, []StepDesc{op("coarsen", "factor", 4), op("states", "indices", []int{0, 3}),
			op("crop", "rows", []int{4, 12}, "cols", []int{2, 12})}, 1, 2, [4]int{20, 24, 16, 20}, true},
		{"vorticity keeps the plane", []int{2, 64, 64}, []StepDesc{op("every", "n", 3), op("coarsen", "factor", 4), op("vorticity"),
			op("saturate"), op("crop", "rows", []int{2, 14}, "cols", []int{2, 14})}, 0, 11, [4]int{8, 12, 52, 56}, true},
		{"subsample", []int{2, 64, 64}, []StepDesc{op("subsample", "stride", 16, "offset", 7)}, 3, 0, [4]int{55, 64, 7, 23}, true},
		{"pointwise", []int{2, 64, 64}, []StepDesc{op("states", "indices", []int{-1}), op("vorticity"), op("mask", "inner", 0.4, "outer", 0.6)},
			5, 9, [4]int{5, 6, 9, 10}, true},
		{"flat states", []int{3}, []StepDesc{op("every", "n", 2)}, 0, 0, [4]int{}, false},
	}
	for _, tc := range tests {
		c, err := NewChain(8, tc.state, tc.steps)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		r0, r1, c0, c1, ok := c.Region(tc.r, tc.c)
		if got := [4]int{r0, r1, c0, c1}; ok != tc.wantOK || (ok && got != tc.want) {
			t.Errorf("%s: Region(%d, %d) = %v, %v; want %v, %v", tc.name, tc.r, tc.c, got, ok, tc.want, tc.wantOK)
		}
	}
}
