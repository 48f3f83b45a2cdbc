// Package schemas declares every artifact kind sdapipe writes: its file
// format, element type, named dimensions and units. Stages validate what
// they write and read against these declarations, `sdapipe show` prints
// them, and the README's table of artifact kinds is generated from them.
//
// An artifact kind is declared once, here, and referred to by name.
package schemas

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"sdapipe/artifacts"
)

// A Format is an artifact's file format.
type Format string

// The formats sdapipe writes.
const (
	NPY   Format = "npy"   // one array, NPY v1.0 as numpy.save writes it
	NPZ   Format = "npz"   // named arrays, as numpy.savez writes them
	Arrow Format = "arrow" // a table, an uncompressed Arrow IPC file (Feather v2)
	JSON  Format = "json"  // a small document
	PNG   Format = "png"   // a figure
)

// A Kind is one artifact kind.
type Kind struct {
	Name   string
	Format Format
	DType  string   // element type of NPY arrays and NPZ members ("float32")
	Dims   []string // named dimensions of an NPY array, outermost first; a last name ending in "..." stands for one or more trailing dimensions (the state's shape)
	Units  string
	Doc    string
	// Columns of an Arrow table, as "name type" (e.g. "step int64").
	Columns []string
	// Members of an NPZ file, as "name [dims]"; empty for free-form names.
	Members []string
}

// Ext returns the file name extension of the kind's format, without a dot.
func (k *Kind) Ext() string { return string(k.Format) }

// Shape describes the declared layout in one line, e.g.
// "float32 [trajectory, time, state]".
func (k *Kind) Shape() string {
	switch k.Format {
	case NPY:
		return fmt.Sprintf("%s [%s]", k.DType, strings.Join(k.Dims, ", "))
	case NPZ:
		if len(k.Members) == 0 {
			return k.DType + " arrays by name"
		}
		return k.DType + " {" + strings.Join(k.Members, "; ") + "}"
	case Arrow:
		return "table (" + strings.Join(k.Columns, ", ") + ")"
	case JSON:
		return "JSON document"
	case PNG:
		return "PNG image"
	}
	return string(k.Format)
}

// variadic reports whether the kind's last dimension stands for one or
// more trailing dimensions.
func (k *Kind) variadic() bool {
	return len(k.Dims) > 0 && strings.HasSuffix(k.Dims[len(k.Dims)-1], "...")
}

// CheckArray reports whether a matches the kind's dtype and rank and, for
// each dimension named in sizes, its length. When the kind ends in a
// variadic dimension ("state...") and state is given, the trailing
// dimensions must be exactly state. The error says what was expected and
// what was found.
func (k *Kind) CheckArray(a artifacts.Array, sizes map[string]int, state ...int) error {
	if k.Format != NPY {
		return fmt.Errorf("schemas: %s is a %s artifact, not an array", k.Name, k.Format)
	}
	if got := a.DType.String(); got != k.DType {
		return fmt.Errorf("%s must be %s %v; got dtype %s", k.Name, k.DType, k.Dims, got)
	}
	fixed := len(k.Dims)
	if k.variadic() {
		fixed--
		if len(a.Shape) <= fixed {
			return fmt.Errorf("%s must have at least %d dimensions [%s]; got shape %v",
				k.Name, fixed+1, strings.Join(k.Dims, ", "), a.Shape)
		}
		if state != nil && !slices.Equal(a.Shape[fixed:], state) {
			return fmt.Errorf("%s must hold states of shape %v; got shape %v", k.Name, state, a.Shape)
		}
	} else if len(a.Shape) != len(k.Dims) {
		return fmt.Errorf("%s must have %d dimensions [%s]; got shape %v",
			k.Name, len(k.Dims), strings.Join(k.Dims, ", "), a.Shape)
	}
	for i, d := range k.Dims[:fixed] {
		if want, ok := sizes[d]; ok && a.Shape[i] != want {
			return fmt.Errorf("%s dimension %q must be %d; got shape %v", k.Name, d, want, a.Shape)
		}
	}
	return nil
}

var kinds = map[string]*Kind{}

func declare(k *Kind) *Kind {
	if _, dup := kinds[k.Name]; dup {
		panic("schemas: kind declared twice: " + k.Name)
	}
	kinds[k.Name] = k
	return k
}

// Lookup returns the artifact kind of that name.
func Lookup(name string) (*Kind, bool) {
	k, ok := kinds[name]
	return k, ok
}

// All returns every artifact kind, sorted by name.
func All() []*Kind {
	out := make([]*Kind, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Markdown renders the artifact kinds as a Markdown table, the one the
// README shows notebook users.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| kind | format | layout | units | what it holds |\n|---|---|---|---|---|\n")
	for _, k := range All() {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", k.Name, k.Format, k.Shape(), k.Units, k.Doc)
	}
	return b.String()
}
