// Package settings declares the named settings that science packages
// expose to pipeline files — an architecture's width, an observation
// operator's coarsening factor — without knowing anything of the pipeline:
// a Spec says the name, default (whose type is the setting's type) and
// documentation; Values holds what a stage decoded. The stage framework
// turns Specs into parameters of a block of pipeline.hcl.
package settings

import "fmt"

// A Spec declares one setting. Default is an int64, a float64, a string or
// an []int64, and gives the setting its type; a nil Default makes the
// setting required, with Type naming its type ("int", "float", "string",
// "ints"). Min, when set, bounds numbers and list elements from below.
type Spec struct {
	Name    string
	Default any
	Type    string
	Min     *float64
	Doc     string
}

// Bound returns a pointer to v, for Spec.Min.
func Bound(v float64) *float64 { return &v }

// Kind returns the setting's type: "int", "float", "string" or "ints".
func (s Spec) Kind() string {
	switch s.Default.(type) {
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "string"
	case []int64:
		return "ints"
	case nil:
		return s.Type
	}
	panic(fmt.Sprintf("settings: %s has a default of unsupported type %T", s.Name, s.Default))
}

// Values holds decoded settings by name, with the types of their specs:
// int64, float64, string or []int64.
type Values map[string]any

// Int returns an integer setting; it panics if it was not declared, a
// programming error.
func (v Values) Int(name string) int { return int(v.value(name).(int64)) }

// Float returns a real setting.
func (v Values) Float(name string) float64 { return v.value(name).(float64) }

// String returns a string setting.
func (v Values) String(name string) string { return v.value(name).(string) }

// Ints returns a list setting.
func (v Values) Ints(name string) []int {
	x := v.value(name).([]int64)
	out := make([]int, len(x))
	for i, e := range x {
		out[i] = int(e)
	}
	return out
}

// Has reports whether a setting has a value.
func (v Values) Has(name string) bool { _, ok := v[name]; return ok }

func (v Values) value(name string) any {
	x, ok := v[name]
	if !ok {
		panic(fmt.Sprintf("settings: %q not declared", name))
	}
	return x
}
