package schemas

import (
	"strings"
	"testing"

	"sdapipe/artifacts"
)

func TestCheckArray(t *testing.T) {
	ok := artifacts.NewFloat32([]int{2, 5, 3}, make([]float32, 30))
	field := artifacts.NewFloat32([]int{2, 5, 2, 4, 4}, make([]float32, 320))
	tests := []struct {
		name  string
		a     artifacts.Array
		sizes map[string]int
		state []int
		want  string // substring of the error; "" for none
	}{
		{"matches", ok, map[string]int{"time": 5}, []int{3}, ""},
		{"field state", field, map[string]int{"trajectory": 2}, []int{2, 4, 4}, ""},
		{"any state", field, nil, nil, ""},
		{"wrong dtype", artifacts.NewFloat64([]int{2, 5, 3}, make([]float64, 30)), nil, nil, "must be float32"},
		{"wrong rank", artifacts.NewFloat32([]int{10, 3}, make([]float32, 30)), nil, nil, "must have at least 3 dimensions [trajectory, time, state...]; got shape [10 3]"},
		{"wrong size", ok, map[string]int{"time": 2}, nil, `dimension "time" must be 2; got shape [2 5 3]`},
		{"wrong state", field, nil, []int{2, 8, 8}, "must hold states of shape [2 8 8]; got shape [2 5 2 4 4]"},
		{"vector for field", ok, nil, []int{2, 4, 4}, "must hold states of shape [2 4 4]; got shape [2 5 3]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Trajectories.CheckArray(tc.a, tc.sizes, tc.state...)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if err := Network.CheckArray(ok, nil); err == nil {
		t.Error("a JSON kind accepted an array")
	}
	obs := artifacts.NewFloat32([]int{2, 5, 3}, make([]float32, 30))
	if err := Observations.CheckArray(obs, nil); err == nil || !strings.Contains(err.Error(), "must have 2 dimensions") {
		t.Errorf("a fixed-rank kind accepted rank 3: %v", err)
	}
}

func TestEveryKindIsComplete(t *testing.T) {
	for _, k := range All() {
		if k.Doc == "" {
			t.Errorf("%s has no documentation", k.Name)
		}
		switch k.Format {
		case NPY:
			if k.DType == "" || len(k.Dims) == 0 || k.Units == "" {
				t.Errorf("%s: an array kind needs a dtype, named dimensions and units", k.Name)
			}
		case Arrow:
			if len(k.Columns) == 0 {
				t.Errorf("%s: a table kind needs its columns", k.Name)
			}
		case NPZ, JSON, PNG:
		default:
			t.Errorf("%s: unknown format %q", k.Name, k.Format)
		}
		if got, ok := Lookup(k.Name); !ok || got != k {
			t.Errorf("Lookup(%q) does not find it", k.Name)
		}
	}
}
