package stage

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestSettingsRoundTrip: a block's settings survive JSON, so a later stage
// rebuilds exactly what an earlier one recorded; absent ones default.
func TestSettingsRoundTrip(t *testing.T) {
	specs := []ParamSpec{
		{Name: "grid", Type: Int, Default: int64(256)},
		{Name: "re", Type: Float, Default: 1000.0},
		{Name: "scheme", Type: String, Default: "spectral"},
		{Name: "drag", Type: Bool, Default: true},
		{Name: "levels", Type: IntList, Default: []int64{64, 128}},
	}
	p := NewParams()
	p.Values["grid"] = Value{Type: Int, Int: 128, Float: 128}
	p.Values["re"] = Value{Type: Float, Float: 0.1}
	p.Values["scheme"] = Value{Type: String, Str: "fv"}
	p.Values["levels"] = Value{Type: IntList, Ints: []int64{1, 2, 3}}
	b, err := json.Marshal(p.Settings())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	q, err := ParamsFromSettings(specs, m)
	if err != nil {
		t.Fatal(err)
	}
	if q.Int("grid") != 128 || q.Float("re") != 0.1 || q.String("scheme") != "fv" || !q.Bool("drag") ||
		!reflect.DeepEqual(q.Ints("levels"), []int{1, 2, 3}) {
		t.Fatalf("round trip gave %+v", q.Values)
	}
	if _, err := ParamsFromSettings(specs, map[string]any{"grid": 1.5}); err == nil {
		t.Fatal("a fractional grid was accepted")
	}
}
