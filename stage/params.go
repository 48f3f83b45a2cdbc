package stage

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"sdapipe/artifacts"
	"sdapipe/settings"
)

// A ParamType is the type of one stage parameter as written in pipeline.hcl.
type ParamType int

// The parameter types a stage kind can declare.
const (
	Int       ParamType = iota // a whole number
	Float                      // a real number
	String                     // a string, possibly restricted to Choices
	Bool                       // true or false
	IntList                    // a list of whole numbers, e.g. [0, 8, 16]
	RefParam                   // a reference to another stage, e.g. simulate.lorenz
	FileParam                  // a file the pipeline hashes, written file("obs.npy")
	RefList                    // a list of stage references, e.g. [sample.a, sample.b]
)

// String returns the type's name as a user would say it.
func (t ParamType) String() string {
	switch t {
	case Int:
		return "whole number"
	case Float:
		return "number"
	case String:
		return "string"
	case Bool:
		return "bool"
	case IntList:
		return "list of whole numbers"
	case RefParam:
		return "stage reference"
	case FileParam:
		return `file("path")`
	case RefList:
		return "list of stage references"
	}
	return "unknown"
}

// A ParamSpec declares one parameter of a stage kind: its type, default,
// allowed range and documentation. A nil Default makes it required.
type ParamSpec struct {
	Name    string
	Type    ParamType
	Default any // int64, float64, string, bool or []int64
	// Optional, with a nil Default, lets the parameter be left out;
	// otherwise a nil Default makes it required.
	Optional bool
	Min      *float64 // inclusive lower bound for Int, Float and IntList elements
	Max      *float64 // inclusive upper bound
	Choices  []string // allowed values of a String
	// RefKinds lists the stage kinds a RefParam may point at, and Uses the
	// outputs of that stage this one reads (their digests enter the key).
	RefKinds []string
	Uses     []string
	Doc      string
}

// A BlockSpec declares a nested block such as sample's observe { ... }.
//
// A variant block holds the settings of one choice of a String parameter:
// with Variant = "network", the block named "unet" applies when network =
// "unet". The selected variant's block is always present in the decoded
// Params, with its defaults when the file leaves it out (so its settings
// enter the cache key); a block of a variant that is not selected is an
// error.
type BlockSpec struct {
	Name     string
	Required bool
	Params   []ParamSpec
	Doc      string
	Variant  string // the String parameter whose value Name this block belongs to; "" for none
}

// Defaults returns the block's parameters with their defaults filled in
// and the names of the required ones, which have none.
func (b BlockSpec) Defaults() (p *Params, required []string) {
	p = NewParams()
	for _, ps := range b.Params {
		if v, has := ps.DefaultValue(); has {
			p.Values[ps.Name] = v
		} else if !ps.Optional {
			required = append(required, ps.Name)
		}
	}
	return p, required
}

// A ListSpec declares a repeated labelled block whose occurrences are kept
// in file order, such as the steps of an observation,
//
//	op "every"   { n = 4 }
//	op "coarsen" { factor = 8 }
//
// Each label names an item kind with its own parameters (Items).
type ListSpec struct {
	Name  string
	Doc   string
	Items []BlockSpec
}

// Item returns the item kind of that label.
func (l ListSpec) Item(label string) (BlockSpec, bool) {
	for _, b := range l.Items {
		if b.Name == label {
			return b, true
		}
	}
	return BlockSpec{}, false
}

// Labels returns the item kinds' labels in declaration order.
func (l ListSpec) Labels() []string {
	out := make([]string, len(l.Items))
	for i, b := range l.Items {
		out[i] = b.Name
	}
	return out
}

// An Item is one occurrence of a list block: its label and parameters.
type Item struct {
	Label  string
	Params *Params
}

// Bound returns a pointer to v, for ParamSpec.Min and Max.
func Bound(v float64) *float64 { return &v }

// CheckValue reports whether v is allowed for the parameter, as a sentence
// saying what is expected, or "" when it is fine.
func (p ParamSpec) CheckValue(v Value) string {
	check := func(x float64) string {
		if p.Min != nil && x < *p.Min || p.Max != nil && x > *p.Max {
			return fmt.Sprintf("%s must be %s; got %s.", p.Name, p.rangeText(), strconv.FormatFloat(x, 'g', -1, 64))
		}
		return ""
	}
	switch p.Type {
	case Int:
		return check(float64(v.Int))
	case Float:
		return check(v.Float)
	case IntList:
		for _, x := range v.Ints {
			if msg := check(float64(x)); msg != "" {
				return msg
			}
		}
	case String:
		if len(p.Choices) > 0 && !slices.Contains(p.Choices, v.Str) {
			return fmt.Sprintf("%s must be one of %s; got %q.", p.Name, quoteList(p.Choices), v.Str)
		}
	}
	return ""
}

func (p ParamSpec) rangeText() string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	switch {
	case p.Min != nil && p.Max != nil:
		return fmt.Sprintf("between %s and %s", f(*p.Min), f(*p.Max))
	case p.Min != nil:
		return "at least " + f(*p.Min)
	case p.Max != nil:
		return "at most " + f(*p.Max)
	}
	return "any value"
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = strconv.Quote(x)
	}
	return strings.Join(q, ", ")
}

// A Value is one decoded parameter value; the field that matters is the
// one that Type names.
type Value struct {
	Type  ParamType
	Int   int64
	Float float64
	Str   string
	Bool  bool
	Ints  []int64
	Ref   string   // stage address such as "simulate.lorenz"
	Refs  []string // stage addresses of a RefList
	File  File
}

// A File is a file named in pipeline.hcl: its path, as written and as
// resolved against the config's directory, and the digest of its bytes.
type File struct {
	Path     string
	Resolved string
	Digest   artifacts.Digest
}

// Text returns the value's canonical text: what the cache key hashes and
// what an explanation shows.
func (v Value) Text() string {
	switch v.Type {
	case Int:
		return strconv.FormatInt(v.Int, 10)
	case Float:
		return strconv.FormatFloat(v.Float, 'g', -1, 64)
	case String:
		return strconv.Quote(v.Str)
	case Bool:
		return strconv.FormatBool(v.Bool)
	case IntList:
		s := make([]string, len(v.Ints))
		for i, x := range v.Ints {
			s[i] = strconv.FormatInt(x, 10)
		}
		return "[" + strings.Join(s, ", ") + "]"
	case RefParam:
		return v.Ref
	case FileParam:
		return fmt.Sprintf("file(%q) sha256:%s", v.File.Path, v.File.Digest)
	case RefList:
		return "[" + strings.Join(v.Refs, ", ") + "]"
	}
	return "?"
}

// DefaultValue returns the declared default as a Value; ok is false when
// the parameter is required.
func (p ParamSpec) DefaultValue() (v Value, ok bool) {
	if p.Default == nil {
		return Value{}, false
	}
	v.Type = p.Type
	switch d := p.Default.(type) {
	case int64:
		v.Int = d
		v.Float = float64(d)
	case int:
		v.Int = int64(d)
		v.Float = float64(d)
	case float64:
		v.Float = d
	case string:
		v.Str = d
	case bool:
		v.Bool = d
	case []int64:
		v.Ints = slices.Clone(d)
	default:
		panic(fmt.Sprintf("stages: parameter %s has a default of unsupported type %T", p.Name, d))
	}
	return v, true
}

// Params holds the evaluated parameters of one stage, defaults filled in,
// and those of its nested blocks.
type Params struct {
	Values map[string]Value
	Blocks map[string]*Params // nested blocks that are present
	Lists  map[string][]Item  // list blocks, in file order
	// Explicit records the parameters written in the file or set with
	// --set, as opposed to those that took their defaults.
	Explicit map[string]bool
}

// NewParams returns an empty Params.
func NewParams() *Params {
	return &Params{Values: map[string]Value{}, Blocks: map[string]*Params{}, Lists: map[string][]Item{}, Explicit: map[string]bool{}}
}

func (p *Params) get(name string, t ParamType) Value {
	v, ok := p.Values[name]
	if !ok || v.Type != t {
		panic(fmt.Sprintf("stages: parameter %q of type %v not declared", name, t))
	}
	return v
}

// Int returns an Int parameter. It panics if the kind did not declare it,
// which is a programming error, never a user one.
func (p *Params) Int(name string) int { return int(p.get(name, Int).Int) }

// Float returns a Float parameter.
func (p *Params) Float(name string) float64 { return p.get(name, Float).Float }

// String returns a String parameter.
func (p *Params) String(name string) string { return p.get(name, String).Str }

// Bool returns a Bool parameter.
func (p *Params) Bool(name string) bool { return p.get(name, Bool).Bool }

// Ints returns an IntList parameter as ints.
func (p *Params) Ints(name string) []int {
	v := p.get(name, IntList).Ints
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// Ref returns the stage address a RefParam points at.
func (p *Params) Ref(name string) string { return p.get(name, RefParam).Ref }

// RefList returns the input keys of a RefList parameter, one per listed
// stage, in order: the keys of Env.Inputs that hold their outputs.
func (p *Params) RefList(name string) []string {
	refs := p.get(name, RefList).Refs
	keys := make([]string, len(refs))
	for i := range refs {
		keys[i] = InputKey(name, i)
	}
	return keys
}

// InputKey names element i of a RefList parameter among a stage's inputs,
// e.g. "posteriors[2]".
func InputKey(param string, i int) string { return fmt.Sprintf("%s[%d]", param, i) }

// BaseParam strips an element index from an input key: "posteriors[2]"
// gives "posteriors".
func BaseParam(key string) string {
	if i := strings.IndexByte(key, '['); i >= 0 {
		return key[:i]
	}
	return key
}

// File returns a FileParam, or ok false when it was not given.
func (p *Params) File(name string) (File, bool) {
	v, ok := p.Values[name]
	if !ok || v.Type != FileParam {
		return File{}, false
	}
	return v.File, true
}

// Has reports whether a parameter has a value (given or defaulted).
func (p *Params) Has(name string) bool { _, ok := p.Values[name]; return ok }

// Block returns a nested block's parameters, or nil when it is absent.
func (p *Params) Block(name string) *Params { return p.Blocks[name] }

// Fingerprint writes every parameter, nested blocks included, to h in
// sorted order of their dotted names. Files enter with their digest;
// references enter by address only (their outputs' digests are added by
// the pipeline as inputs).
func (p *Params) Fingerprint(h *artifacts.Hasher, prefix string) {
	names := make([]string, 0, len(p.Values))
	for n := range p.Values {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		h.String("param "+prefix+n, p.Values[n].Text())
	}
	blocks := make([]string, 0, len(p.Blocks))
	for n := range p.Blocks {
		blocks = append(blocks, n)
	}
	sort.Strings(blocks)
	for _, n := range blocks {
		h.Bool("block "+prefix+n, true)
		p.Blocks[n].Fingerprint(h, prefix+n+".")
	}
	lists := make([]string, 0, len(p.Lists))
	for n := range p.Lists {
		lists = append(lists, n)
	}
	sort.Strings(lists)
	for _, n := range lists {
		for i, it := range p.Lists[n] {
			item := fmt.Sprintf("%s%s[%d]", prefix, n, i)
			h.String("item "+item, it.Label)
			it.Params.Fingerprint(h, item+".")
		}
	}
}

// List returns the items of a list block in order (none when absent).
func (p *Params) List(name string) []Item { return p.Lists[name] }

// Settings returns the plain values of p by name — int64, float64, string,
// bool or []int64 — for recording a block's settings in an output (JSON);
// references and files are left out. ParamsFromSettings reverses it.
func (p *Params) Settings() map[string]any {
	m := map[string]any{}
	for name, v := range p.Values {
		switch v.Type {
		case Int:
			m[name] = v.Int
		case Float:
			m[name] = v.Float
		case String:
			m[name] = v.Str
		case Bool:
			m[name] = v.Bool
		case IntList:
			m[name] = slices.Clone(v.Ints)
		}
	}
	return m
}

// ParamsFromSettings rebuilds the parameters that Settings recorded, after
// a JSON round trip (numbers as float64, lists as []any), against specs:
// settings absent from m take their defaults.
func ParamsFromSettings(specs []ParamSpec, m map[string]any) (*Params, error) {
	p := NewParams()
	for _, s := range specs {
		raw, ok := m[s.Name]
		if !ok {
			if v, ok := s.DefaultValue(); ok {
				p.Values[s.Name] = v
			}
			continue
		}
		v := Value{Type: s.Type}
		var good bool
		switch s.Type {
		case Int:
			v.Int, good = wholeNumber(raw)
			v.Float = float64(v.Int)
		case Float:
			v.Float, good = raw.(float64)
		case String:
			v.Str, good = raw.(string)
		case Bool:
			v.Bool, good = raw.(bool)
		case IntList:
			list, isList := raw.([]any)
			good = isList
			for _, e := range list {
				n, ok := wholeNumber(e)
				good = good && ok
				v.Ints = append(v.Ints, n)
			}
		}
		if !good {
			return nil, fmt.Errorf("setting %s: %v is not a %s", s.Name, raw, s.Type)
		}
		p.Values[s.Name] = v
	}
	return p, nil
}

func wholeNumber(x any) (int64, bool) {
	switch n := x.(type) {
	case float64:
		return int64(n), n == float64(int64(n))
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}

// FromSettings declares, as parameters, the settings a science package
// exposes (see package settings).
func FromSettings(specs []settings.Spec) []ParamSpec {
	out := make([]ParamSpec, len(specs))
	for i, s := range specs {
		ps := ParamSpec{Name: s.Name, Default: s.Default, Min: s.Min, Doc: s.Doc}
		switch s.Kind() {
		case "int":
			ps.Type = Int
		case "float":
			ps.Type = Float
		case "string":
			ps.Type = String
		case "ints":
			ps.Type = IntList
		default:
			panic(fmt.Sprintf("stage: setting %s has unknown type %q", s.Name, s.Kind()))
		}
		out[i] = ps
	}
	return out
}
