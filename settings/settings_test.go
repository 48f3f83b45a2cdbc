package settings

import (
	"slices"
	"testing"
)

func TestKindsAndValues(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		want string
	}{
		{Spec{Name: "a", Default: int64(1)}, "int"},
		{Spec{Name: "b", Default: 0.5}, "float"},
		{Spec{Name: "c", Default: "x"}, "string"},
		{Spec{Name: "d", Default: []int64{1, 2}}, "ints"},
		{Spec{Name: "e", Type: "int"}, "int"},
	} {
		if got := tc.spec.Kind(); got != tc.want {
			t.Errorf("%s: Kind() = %q, want %q", tc.spec.Name, got, tc.want)
		}
	}
	v := Values{"a": int64(3), "b": 0.25, "c": "y", "d": []int64{4, 5}}
	if v.Int("a") != 3 || v.Float("b") != 0.25 || v.String("c") != "y" || !slices.Equal(v.Ints("d"), []int{4, 5}) || v.Has("e") {
		t.Fatalf("accessors of %v", v)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("an undeclared setting did not panic")
		}
	}()
	v.Int("e")
}
