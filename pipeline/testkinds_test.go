package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"sdapipe/artifacts"
	"sdapipe/stage"
	"sdapipe/stages"
)

// Two small stage kinds for graph tests: tsrc makes an array from its
// parameters and seed stream, tmap scales its input. They exercise refs,
// cycles, reruns and failures without the cost of real science.
var (
	testSource = &stage.Kind{
		Name: "tsrc", Version: 1,
		Params: []stage.ParamSpec{
			{Name: "n", Type: stage.Int, Default: int64(4), Min: stage.Bound(1)},
			{Name: "value", Type: stage.Float, Default: 1.0},
			{Name: "label", Type: stage.String, Default: "x"},
		},
		Outputs: []stage.OutputSpec{{Name: "out", Schema: "trajectories"}},
		Run: func(ctx context.Context, env *stage.Env) error {
			n := env.Params.Int("n")
			rng := env.RNG("noise")
			data := make([]float32, n)
			for i := range data {
				data[i] = float32(env.Params.Float("value") + rng.NormFloat64())
			}
			return env.WriteArray("out", artifacts.NewFloat32([]int{n, 1, 1}, data), nil)
		},
	}
	testMap = &stage.Kind{
		Name: "tmap", Version: 1,
		Params: []stage.ParamSpec{
			{Name: "in", Type: stage.RefParam, RefKinds: []string{"tsrc", "tmap"}, Uses: []string{"out"}},
			{Name: "other", Type: stage.RefParam, Optional: true, RefKinds: []string{"tsrc", "tmap"}, Uses: []string{"out"}},
			{Name: "scale", Type: stage.Float, Default: 2.0},
			{Name: "fail", Type: stage.Bool, Default: false},
			{Name: "sleep_ms", Type: stage.Int, Default: int64(0), Min: stage.Bound(0)},
		},
		Blocks: []stage.BlockSpec{{Name: "opts", Params: []stage.ParamSpec{
			{Name: "every", Type: stage.Int, Default: int64(1), Min: stage.Bound(1)},
			{Name: "times", Type: stage.IntList, Default: []int64{}},
		}}},
		Outputs: []stage.OutputSpec{{Name: "out", Schema: "trajectories"}},
		Run: func(ctx context.Context, env *stage.Env) error {
			if env.Params.Bool("fail") {
				return errors.New("asked to fail")
			}
			select {
			case <-time.After(time.Duration(env.Params.Int("sleep_ms")) * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
			a, err := env.ReadArray("in", "out", nil)
			if err != nil {
				return err
			}
			x, _ := a.Float32()
			y := make([]float32, len(x))
			for i, v := range x {
				y[i] = v * float32(env.Params.Float("scale"))
			}
			return env.WriteArray("out", artifacts.NewFloat32(a.Shape, y), nil)
		},
	}
)

// testVariant has a string parameter mode whose two values each have a
// settings block: a's has only defaults, b's a required setting.
var testVariant = &stage.Kind{
	Name: "tvar", Version: 1,
	Params: []stage.ParamSpec{
		{Name: "mode", Type: stage.String, Default: "a", Choices: []string{"a", "b"}},
	},
	Blocks: []stage.BlockSpec{
		{Name: "a", Variant: "mode", Params: []stage.ParamSpec{{Name: "x", Type: stage.Int, Default: int64(1)}}},
		{Name: "b", Variant: "mode", Doc: "b needs z.", Params: []stage.ParamSpec{
			{Name: "y", Type: stage.Float, Default: 2.0},
			{Name: "z", Type: stage.Int},
		}},
	},
	Outputs: []stage.OutputSpec{{Name: "out", Schema: "trajectories"}},
	Run: func(ctx context.Context, env *stage.Env) error {
		return env.WriteArray("out", artifacts.NewFloat32([]int{1, 1, 1}, []float32{1}), nil)
	},
}

// testList has a list block of steps applied in order.
var testList = &stage.Kind{
	Name: "tlist", Version: 1,
	Lists: []stage.ListSpec{{Name: "op", Items: []stage.BlockSpec{
		{Name: "scale", Params: []stage.ParamSpec{{Name: "by", Type: stage.Float, Default: 2.0}}},
		{Name: "shift", Params: []stage.ParamSpec{{Name: "by", Type: stage.Float}}},
	}}},
	Outputs: []stage.OutputSpec{{Name: "out", Schema: "trajectories"}},
	Run: func(ctx context.Context, env *stage.Env) error {
		x := float32(1)
		for _, it := range env.Params.List("op") {
			if it.Label == "scale" {
				x *= float32(it.Params.Float("by"))
			} else {
				x += float32(it.Params.Float("by"))
			}
		}
		return env.WriteArray("out", artifacts.NewFloat32([]int{1, 1, 1}, []float32{x}), nil)
	},
}

// testSplit splits into n units: unit i is a draw from the stream
// "unit i" plus the input's mean; its parts' results are float32 NPYs that
// the gather step concatenates. Run is RunSplit, as for the real kinds.
var testSplit = func() *stage.Kind {
	split := &stage.Split{
		Units: func(env *stage.Env) (int, error) { return env.Params.Int("units"), nil },
		Part: func(ctx context.Context, env *stage.Env, lo, hi int) ([]byte, error) {
			a, err := env.ReadArray("in", "out", nil)
			if err != nil {
				return nil, err
			}
			x, _ := a.Float32()
			var mean float32
			for _, v := range x {
				mean += v / float32(len(x))
			}
			y := make([]float32, hi-lo)
			for i := range y {
				y[i] = mean + float32(env.RNG(fmt.Sprintf("unit %d", lo+i)).NormFloat64())
			}
			return artifacts.EncodeNPY(artifacts.NewFloat32([]int{len(y)}, y))
		},
		Gather: func(ctx context.Context, env *stage.Env, parts [][]byte) error {
			var y []float32
			for _, b := range parts {
				a, err := artifacts.ReadNPY(bytes.NewReader(b))
				if err != nil {
					return err
				}
				v, _ := a.Float32()
				y = append(y, v...)
			}
			return env.WriteArray("out", artifacts.NewFloat32([]int{len(y), 1, 1}, y), nil)
		},
	}
	return &stage.Kind{
		Name: "tsplit", Version: 1,
		Params: []stage.ParamSpec{
			{Name: "in", Type: stage.RefParam, RefKinds: []string{"tsrc", "tmap"}, Uses: []string{"out"}},
			{Name: "units", Type: stage.Int, Default: int64(7), Min: stage.Bound(1)},
		},
		Outputs: []stage.OutputSpec{{Name: "out", Schema: "trajectories"}},
		Split:   split,
		Run:     func(ctx context.Context, env *stage.Env) error { return stage.RunSplit(ctx, env, split) },
	}
}()

// testKinds is the registry of the pipeline tests: sdapipe's own kinds,
// for the fixtures that exercise their parameter checks, and the two test
// kinds.
var testKinds = stage.NewRegistry(append(stages.Kinds(stages.DefaultCatalog()), testSource, testMap, testVariant, testList, testSplit)...)
