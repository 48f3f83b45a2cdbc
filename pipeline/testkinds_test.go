package pipeline

import (
	"context"
	"errors"
	"time"

	"sdapipe/artifacts"
	"sdapipe/stages"
)

// Two small stage kinds for graph tests: tsrc makes an array from its
// parameters and seed stream, tmap scales its input. They exercise refs,
// cycles, reruns and failures without the cost of real science.
var (
	testSource = &stages.Kind{
		Name: "tsrc", Version: 1,
		Params: []stages.ParamSpec{
			{Name: "n", Type: stages.Int, Default: int64(4), Min: stages.Bound(1)},
			{Name: "value", Type: stages.Float, Default: 1.0},
			{Name: "label", Type: stages.String, Default: "x"},
		},
		Outputs: []stages.OutputSpec{{Name: "out", Schema: "trajectories"}},
		Run: func(ctx context.Context, env *stages.Env) error {
			n := env.Params.Int("n")
			rng := env.RNG("noise")
			data := make([]float32, n)
			for i := range data {
				data[i] = float32(env.Params.Float("value") + rng.NormFloat64())
			}
			return env.WriteArray("out", artifacts.NewFloat32([]int{n, 1, 1}, data), nil)
		},
	}
	testMap = &stages.Kind{
		Name: "tmap", Version: 1,
		Params: []stages.ParamSpec{
			{Name: "in", Type: stages.RefParam, RefKinds: []string{"tsrc", "tmap"}, Uses: []string{"out"}},
			{Name: "other", Type: stages.RefParam, Optional: true, RefKinds: []string{"tsrc", "tmap"}, Uses: []string{"out"}},
			{Name: "scale", Type: stages.Float, Default: 2.0},
			{Name: "fail", Type: stages.Bool, Default: false},
			{Name: "sleep_ms", Type: stages.Int, Default: int64(0), Min: stages.Bound(0)},
		},
		Blocks: []stages.BlockSpec{{Name: "opts", Params: []stages.ParamSpec{
			{Name: "every", Type: stages.Int, Default: int64(1), Min: stages.Bound(1)},
			{Name: "times", Type: stages.IntList, Default: []int64{}},
		}}},
		Outputs: []stages.OutputSpec{{Name: "out", Schema: "trajectories"}},
		Run: func(ctx context.Context, env *stages.Env) error {
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

func init() {
	stages.Register(testSource)
	stages.Register(testMap)
}
