package pipeline

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"sdapipe/artifacts"
	"sdapipe/stage"
)

// A Config is a decoded pipeline.hcl: the seed, the workspace and the
// stages, each with its evaluated parameters (defaults filled in) and its
// references to other stages, which are the graph's edges.
type Config struct {
	Filename string // as given, for messages
	Dir      string // directory that relative paths in the file are resolved against
	Seed     uint64 // 0 when the file sets none (see SeedSet)
	// SeedSet says whether the file set seed. The default, 0, is stated in
	// the README; the command line warns when a file relies on it, since
	// two studies that both leave it out share every random stream.
	SeedSet   bool
	Workspace string   // resolved path of the workspace directory
	Stages    []*Stage // in file order
	Kinds     *stage.Registry
	// Executors holds the file's executor blocks, undecoded: each
	// executor decodes its own settings (how stages run never enters a
	// cache key, so the pipeline does not look inside).
	Executors []*ExecutorBlock
	// Source and Overrides are what the config was loaded from, so that a
	// process elsewhere (a batch job) can load the same config.
	Source    []byte
	Overrides []string
	byAddr    map[string]*Stage
}

// An ExecutorBlock is an executor "NAME" { ... } block of the file.
type ExecutorBlock struct {
	Name      string
	Body      hcl.Body
	DeclRange hcl.Range
	NameRange hcl.Range
}

// Executor returns the executor block of that name, or nil.
func (c *Config) Executor(name string) *ExecutorBlock {
	for _, e := range c.Executors {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// A Stage is one stage block of the config.
type Stage struct {
	Kind      *stage.Kind
	Name      string
	Addr      string // kind.name, e.g. "train.k2"
	Params    *stage.Params
	Refs      []Ref // sorted by parameter name
	DeclRange hcl.Range
	ranges    map[string]hcl.Range // dotted parameter name -> where its value was written
	broken    bool                 // some parameter failed to decode
}

// A Ref is a use of another stage, e.g. data = simulate.lorenz.
type Ref struct {
	Param string // the parameter that holds it
	Stage string // the referenced stage's address
	Range hcl.Range
}

// Stage returns the stage with that address, or nil.
func (c *Config) Stage(addr string) *Stage { return c.byAddr[addr] }

// ParamRange returns where a parameter was set, or the stage's
// declaration when it took its default.
func (s *Stage) ParamRange(dotted string) hcl.Range {
	if r, ok := s.ranges[dotted]; ok {
		return r
	}
	return s.DeclRange
}

// ConfigLimit bounds the size of a pipeline file.
var ConfigLimit = artifacts.Limit{Max: 4 << 20, Use: "a pipeline file",
	Why: "a pipeline file holds settings, never data; name data files with file(\"...\")"}

// LoadFile reads and decodes a pipeline file whose stage blocks are kinds
// of reg. Overrides are "--set" arguments of the form stage.param=value.
// The file must be a regular file (or a link to one) within [ConfigLimit].
func LoadFile(reg *stage.Registry, filename string, overrides []string) (*Config, hcl.Diagnostics) {
	src, err := artifacts.ReadRegular(filename, ConfigLimit)
	if err != nil {
		var fe *artifacts.FileError
		detail := fmt.Sprintf("%s: %v.", filename, unwrapPath(err))
		if errors.As(err, &fe) {
			detail = fe.Error()
		}
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read the pipeline file",
			Detail:   detail,
		}}
	}
	dir, _ := filepath.Abs(filepath.Dir(filename))
	return Load(reg, filename, dir, src, overrides)
}

// Load decodes pipeline source whose stage blocks are kinds of reg. dir is
// the directory that relative paths (the workspace, file(...) arguments)
// are resolved against. All problems are reported at once, each with the
// range it is about.
func Load(reg *stage.Registry, filename, dir string, src []byte, overrides []string) (*Config, hcl.Diagnostics) {
	f, diags := hclparse.NewParser().ParseHCL(src, filename)
	if diags.HasErrors() {
		return nil, diags
	}
	c := &Config{Filename: filename, Dir: dir, Kinds: reg, byAddr: map[string]*Stage{},
		Source: src, Overrides: append([]string(nil), overrides...)}
	content, d := f.Body.Content(fileSchema(reg))
	diags = append(diags, d...)

	workspace := ".sdapipe"
	if a, ok := content.Attributes["seed"]; ok {
		v, d := decodeValue(stage.ParamSpec{Name: "seed", Type: stage.Int, Min: stage.Bound(0)}, a.Expr, c)
		diags = append(diags, d...)
		c.Seed = uint64(v.Int)
		c.SeedSet = true
	}
	if a, ok := content.Attributes["workspace"]; ok {
		v, d := decodeValue(stage.ParamSpec{Name: "workspace", Type: stage.String}, a.Expr, c)
		diags = append(diags, d...)
		if v.Str != "" {
			workspace = v.Str
		}
	}
	c.Workspace = workspace
	if !filepath.IsAbs(workspace) {
		c.Workspace = filepath.Join(dir, workspace)
	}

	for _, b := range content.Blocks {
		if b.Type == "executor" {
			diags = append(diags, c.addExecutor(b)...)
			continue
		}
		st, d := decodeStage(b, c)
		diags = append(diags, d...)
		if st == nil {
			continue
		}
		if prev, dup := c.byAddr[st.Addr]; dup {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate stage",
				Detail:   fmt.Sprintf("A stage %s is already declared at %s; give each stage of a kind its own name.", st.Addr, prev.DeclRange),
				Subject:  b.DefRange.Ptr(),
			})
			continue
		}
		c.byAddr[st.Addr] = st
		c.Stages = append(c.Stages, st)
	}
	if len(c.Stages) == 0 && !diags.HasErrors() { // an unknown or broken block is reported already
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No stages",
			Detail:   fmt.Sprintf("The pipeline file declares no stage, so there is nothing to run; add stage blocks of the kinds %s.", kindNames(reg)),
			Subject:  f.Body.MissingItemRange().Ptr(),
		})
	}
	diags = append(diags, c.applyOverrides(overrides)...)
	for _, st := range c.Stages {
		diags = append(diags, st.check()...)
	}
	diags = append(diags, c.resolveRefs()...)
	if !diags.HasErrors() {
		diags = append(diags, c.checkCycles()...)
	}
	if !diags.HasErrors() {
		for _, st := range c.Stages {
			diags = append(diags, c.checkGraph(st)...)
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return c, diags
}

func kindNames(reg *stage.Registry) string {
	var names []string
	for _, k := range reg.Kinds() {
		names = append(names, k.Name)
	}
	return strings.Join(names, ", ")
}

func fileSchema(reg *stage.Registry) *hcl.BodySchema {
	s := &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "seed"}, {Name: "workspace"}},
		Blocks: []hcl.BlockHeaderSchema{{Type: "executor", LabelNames: []string{"name"}}}}
	for _, k := range reg.Kinds() {
		s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: k.Name, LabelNames: []string{"name"}})
	}
	return s
}

func (c *Config) addExecutor(b *hcl.Block) hcl.Diagnostics {
	if prev := c.Executor(b.Labels[0]); prev != nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Duplicate executor block",
			Detail:   fmt.Sprintf("An executor %q block is already declared at %s; put all its settings in one block.", b.Labels[0], prev.DeclRange),
			Subject:  b.DefRange.Ptr(),
		}}
	}
	c.Executors = append(c.Executors, &ExecutorBlock{Name: b.Labels[0], Body: b.Body, DeclRange: b.DefRange, NameRange: b.LabelRanges[0]})
	return nil
}

func decodeStage(b *hcl.Block, c *Config) (*Stage, hcl.Diagnostics) {
	kind, ok := c.Kinds.Lookup(b.Type)
	if !ok {
		return nil, nil // the schema admits only registered kinds
	}
	name := b.Labels[0]
	if !validName(name) {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid stage name",
			Detail:   fmt.Sprintf("Stage name %q must start with a letter and hold only letters, digits, '_' and '-'.", name),
			Subject:  b.LabelRanges[0].Ptr(),
		}}
	}
	st := &Stage{Kind: kind, Name: name, Addr: kind.Name + "." + name, DeclRange: b.DefRange, ranges: map[string]hcl.Range{}}
	p, diags := decodeBody(b.Body, kind.Params, kind.Blocks, kind.Lists, "", st, c)
	st.Params = p
	st.broken = diags.HasErrors()
	return st, diags
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '_' || r == '-')) {
			return false
		}
	}
	return true
}

// decodeBody decodes the attributes, nested blocks and list blocks of a
// stage body.
func decodeBody(body hcl.Body, specs []stage.ParamSpec, blocks []stage.BlockSpec, lists []stage.ListSpec, prefix string, st *Stage, c *Config) (*stage.Params, hcl.Diagnostics) {
	schema := &hcl.BodySchema{}
	for _, p := range specs {
		schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: p.Name, Required: p.Default == nil && !p.Optional})
	}
	for _, b := range blocks {
		schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: b.Name})
	}
	for _, l := range lists {
		schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: l.Name, LabelNames: []string{"kind"}})
	}
	content, diags := body.Content(schema)
	params := stage.NewParams()
	for _, p := range specs {
		a, ok := content.Attributes[p.Name]
		if !ok {
			if v, ok := p.DefaultValue(); ok {
				params.Values[p.Name] = v
			}
			continue
		}
		v, d := decodeValue(p, a.Expr, c)
		diags = append(diags, d...)
		if !d.HasErrors() {
			params.Values[p.Name] = v
			params.Explicit[p.Name] = true
			st.ranges[prefix+p.Name] = a.Expr.Range()
		}
	}
	seen := map[string]hcl.Range{}
	for _, b := range content.Blocks {
		if l, ok := listSpec(lists, b.Type); ok {
			diags = append(diags, decodeItem(b, l, params, prefix, st, c)...)
			continue
		}
		spec := blockSpec(blocks, b.Type)
		if r, dup := seen[b.Type]; dup {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate " + b.Type + " block",
				Detail:   fmt.Sprintf("Only one %s block is allowed in a %s stage; the first is at %s.", b.Type, st.Kind.Name, r),
				Subject:  b.DefRange.Ptr(),
			})
			continue
		}
		seen[b.Type] = b.DefRange
		st.ranges[prefix+b.Type] = b.DefRange
		sub, d := decodeBody(b.Body, spec.Params, nil, nil, prefix+b.Type+".", st, c)
		diags = append(diags, d...)
		params.Blocks[b.Type] = sub
	}
	for _, b := range blocks {
		if _, ok := seen[b.Name]; !ok && b.Required {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing " + b.Name + " block",
				Detail:   fmt.Sprintf("A %s stage needs a %s block: %s", st.Kind.Name, b.Name, b.Doc),
				Subject:  st.DeclRange.Ptr(),
			})
		}
	}
	return params, diags
}

// resolveVariants fills in the selected variant blocks that the file left
// out, with their defaults, and rejects blocks of variants not selected.
func (s *Stage) resolveVariants() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range s.Kind.Blocks {
		if b.Variant == "" || !s.Params.Has(b.Variant) {
			continue
		}
		selected := s.Params.String(b.Variant) == b.Name
		switch present := s.Params.Blocks[b.Name] != nil; {
		case selected && !present:
			p, required := b.Defaults()
			if len(required) > 0 {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Missing " + b.Name + " block",
					Detail:   fmt.Sprintf("With %s = %q a %s stage needs a %s block: %s", b.Variant, b.Name, s.Kind.Name, b.Name, b.Doc),
					Subject:  s.DeclRange.Ptr(),
				})
				continue
			}
			s.Params.Blocks[b.Name] = p
		case selected && present:
			// A block started by --set has only the defaults and the set values.
			for _, ps := range b.Params {
				if ps.Default == nil && !ps.Optional && !s.Params.Blocks[b.Name].Has(ps.Name) {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Missing setting " + b.Name + "." + ps.Name,
						Detail:   fmt.Sprintf("The %s block of %s needs %s: %s", b.Name, s.Addr, ps.Name, ps.Doc),
						Subject:  s.ParamRange(b.Name).Ptr(),
					})
				}
			}
		case !selected && present:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Block for another " + b.Variant,
				Detail: fmt.Sprintf("The %s block holds settings for %s = %q, but this stage has %s = %q; remove the block or set %s = %q.",
					b.Name, b.Variant, b.Name, b.Variant, s.Params.String(b.Variant), b.Variant, b.Name),
				Subject: s.ParamRange(b.Name).Ptr(),
			})
		}
	}
	return diags
}

// decodeItem decodes one occurrence of a list block, appending it to the
// list in file order.
func decodeItem(b *hcl.Block, l stage.ListSpec, params *stage.Params, prefix string, st *Stage, c *Config) hcl.Diagnostics {
	label := b.Labels[0]
	item, ok := l.Item(label)
	if !ok {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Unknown %s %q", l.Name, label),
			Detail:   fmt.Sprintf("Each %s block of %s %s stage is one of %s.", l.Name, article(st.Kind.Name), st.Kind.Name, quoteAll(l.Labels())),
			Subject:  b.LabelRanges[0].Ptr(),
		}}
	}
	at := fmt.Sprintf("%s%s[%d]", prefix, l.Name, len(params.Lists[l.Name]))
	st.ranges[at] = b.DefRange
	sub, diags := decodeBody(b.Body, item.Params, nil, nil, at+".", st, c)
	params.Lists[l.Name] = append(params.Lists[l.Name], stage.Item{Label: label, Params: sub})
	return diags
}

func listSpec(lists []stage.ListSpec, name string) (stage.ListSpec, bool) {
	for _, l := range lists {
		if l.Name == name {
			return l, true
		}
	}
	return stage.ListSpec{}, false
}

// article returns "an" before a word starting with a vowel, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

func quoteAll(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

func blockSpec(blocks []stage.BlockSpec, name string) stage.BlockSpec {
	for _, b := range blocks {
		if b.Name == name {
			return b
		}
	}
	return stage.BlockSpec{Name: name}
}

// check resolves the stage's variant blocks, then runs the kind's
// cross-parameter validation.
func (s *Stage) check() hcl.Diagnostics {
	if s.Params == nil || s.broken {
		return nil
	}
	diags := s.resolveVariants()
	if s.Kind.Check == nil || diags.HasErrors() {
		return diags
	}
	for _, e := range s.Kind.Check(s.Params) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for " + e.Param,
			Detail:   e.Detail,
			Subject:  s.ParamRange(e.Param).Ptr(),
		})
	}
	return diags
}

// checkGraph runs a stage kind's validation against the stages it refers to.
func (c *Config) checkGraph(st *Stage) hcl.Diagnostics {
	if st.Kind.CheckGraph == nil {
		return nil
	}
	resolve := func(param string) (*stage.Kind, *stage.Params, bool) {
		for _, r := range st.Refs {
			if r.Param == param {
				t := c.byAddr[r.Stage]
				return t.Kind, t.Params, true
			}
		}
		return nil, nil, false
	}
	var diags hcl.Diagnostics
	for _, e := range st.Kind.CheckGraph(st.Params, resolve) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for " + e.Param,
			Detail:   e.Detail,
			Subject:  st.ParamRange(e.Param).Ptr(),
		})
	}
	return diags
}

// resolveRefs collects each stage's references and checks that they name
// existing stages of an accepted kind.
func (c *Config) resolveRefs() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, st := range c.Stages {
		st.Refs = nil
		for _, p := range st.Kind.Params {
			if !st.Params.Has(p.Name) {
				continue
			}
			var addrs, keys []string
			switch p.Type {
			case stage.RefParam:
				addrs, keys = []string{st.Params.Ref(p.Name)}, []string{p.Name}
			case stage.RefList:
				addrs, keys = st.Params.Values[p.Name].Refs, st.Params.RefList(p.Name)
			default:
				continue
			}
			r := st.ParamRange(p.Name)
			for i, addr := range addrs {
				if c.byAddr[addr] == nil {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Reference to undeclared stage",
						Detail:   fmt.Sprintf("%s refers to %s, which is not declared in this file.%s", p.Name, addr, c.suggest(addr, p.RefKinds)),
						Subject:  r.Ptr(),
					})
					continue
				}
				st.Refs = append(st.Refs, Ref{Param: keys[i], Stage: addr, Range: r})
			}
		}
		sort.Slice(st.Refs, func(i, j int) bool { return paramLess(st.Refs[i].Param, st.Refs[j].Param) })
	}
	return diags
}

// paramLess orders input keys by parameter name, then list elements by
// index: posteriors[2] before posteriors[10].
func paramLess(a, b string) bool {
	ba, bb := stage.BaseParam(a), stage.BaseParam(b)
	if ba != bb {
		return ba < bb
	}
	ia, _ := strconv.Atoi(strings.Trim(a[len(ba):], "[]"))
	ib, _ := strconv.Atoi(strings.Trim(b[len(bb):], "[]"))
	return ia < ib
}

func (c *Config) suggest(addr string, kinds []string) string {
	var cands []string
	for _, st := range c.Stages {
		for _, k := range kinds {
			if st.Kind.Name == k {
				cands = append(cands, st.Addr)
			}
		}
	}
	if len(cands) == 0 {
		return ""
	}
	return " Declared stages it could refer to: " + strings.Join(cands, ", ") + "."
}

// Deps returns the addresses a stage depends on, sorted and without repeats.
func (s *Stage) Deps() []string {
	out := make([]string, 0, len(s.Refs))
	for _, r := range s.Refs {
		out = append(out, r.Stage)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
