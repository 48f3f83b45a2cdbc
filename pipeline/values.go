package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"sdapipe/artifacts"
	"sdapipe/stage"
)

// decodeValue evaluates one attribute expression as the parameter's type.
// Expressions are evaluated without variables: a pipeline file holds
// literals, references to stages and file("...") calls only.
func decodeValue(p stage.ParamSpec, expr hcl.Expression, c *Config) (stage.Value, hcl.Diagnostics) {
	bad := func(format string, args ...any) (stage.Value, hcl.Diagnostics) {
		return stage.Value{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for " + p.Name,
			Detail:   fmt.Sprintf(format, args...),
			Subject:  expr.Range().Ptr(),
		}}
	}
	switch p.Type {
	case stage.RefParam:
		return decodeRef(p, expr)
	case stage.RefList:
		return decodeRefList(p, expr)
	case stage.FileParam:
		return decodeFile(p, expr, c)
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		if tr, d := hcl.AbsTraversalForExpr(expr); !d.HasErrors() {
			return bad("%s", bareName(p, tr))
		}
		return stage.Value{}, diags
	}
	if val.IsNull() || !val.IsWhollyKnown() {
		return bad("%s must be a %s; got null.", p.Name, p.Type)
	}
	v := stage.Value{Type: p.Type}
	switch p.Type {
	case stage.Int:
		n, ok := wholeNumber(val)
		if !ok {
			return bad("%s must be a whole number; got %s.", p.Name, show(val))
		}
		v.Int = n
	case stage.Float:
		if val.Type() != cty.Number {
			return bad("%s must be a number; got %s.", p.Name, show(val))
		}
		f, _ := val.AsBigFloat().Float64()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return bad("%s must be a finite number; got %s.", p.Name, show(val))
		}
		v.Float = f
	case stage.String:
		if val.Type() != cty.String {
			return bad("%s must be a string in quotes; got %s.", p.Name, show(val))
		}
		v.Str = val.AsString()
	case stage.Bool:
		if val.Type() != cty.Bool {
			return bad("%s must be true or false; got %s.", p.Name, show(val))
		}
		v.Bool = val.True()
	case stage.IntList:
		t := val.Type()
		if !t.IsTupleType() && !t.IsListType() {
			return bad("%s must be a list of whole numbers such as [0, 8, 16]; got %s.", p.Name, show(val))
		}
		for it := val.ElementIterator(); it.Next(); {
			_, e := it.Element()
			n, ok := wholeNumber(e)
			if !ok {
				return bad("%s must be a list of whole numbers; element %s is not one.", p.Name, show(e))
			}
			v.Ints = append(v.Ints, n)
		}
	}
	if msg := p.CheckValue(v); msg != "" {
		return bad("%s", msg)
	}
	return v, nil
}

// bareName explains a name without quotes where a parameter's value should
// be, such as trajectories = abc, rather than HCL's "Variables not allowed".
func bareName(p stage.ParamSpec, tr hcl.Traversal) string {
	name := tr.RootName()
	for _, t := range tr[1:] {
		if a, ok := t.(hcl.TraverseAttr); ok {
			name += "." + a.Name
		}
	}
	msg := fmt.Sprintf("%s must be a %s; got %s, a name without quotes, which a pipeline file uses only to refer to a stage (as in data = simulate.lorenz).",
		p.Name, p.Type, name)
	if p.Type == stage.String {
		msg += fmt.Sprintf(" Write a string in quotes: %q.", name)
	}
	return msg
}

func wholeNumber(v cty.Value) (int64, bool) {
	if v.Type() != cty.Number || v.IsNull() {
		return 0, false
	}
	bf := v.AsBigFloat()
	if !bf.IsInt() {
		return 0, false
	}
	n, acc := bf.Int64()
	return n, acc == 0
}

func show(v cty.Value) string {
	switch {
	case v.IsNull():
		return "null"
	case v.Type() == cty.String:
		return fmt.Sprintf("%q", v.AsString())
	case v.Type() == cty.Number:
		return v.AsBigFloat().Text('g', -1)
	case v.Type() == cty.Bool:
		return fmt.Sprint(v.True())
	}
	return "a " + v.Type().FriendlyName()
}

func decodeRef(p stage.ParamSpec, expr hcl.Expression) (stage.Value, hcl.Diagnostics) {
	kinds := strings.Join(p.RefKinds, " or ")
	bad := func(detail string) (stage.Value, hcl.Diagnostics) {
		return stage.Value{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid reference in " + p.Name,
			Detail:   detail,
			Subject:  expr.Range().Ptr(),
		}}
	}
	tr, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() || len(tr) != 2 {
		return bad(fmt.Sprintf("%s must name a %s stage as kind.name, for example %s.%s, without quotes.",
			p.Name, kinds, p.RefKinds[0], "name"))
	}
	kind := tr.RootName()
	attr, ok := tr[1].(hcl.TraverseAttr)
	if !ok {
		return bad(fmt.Sprintf("%s must name a stage as kind.name.", p.Name))
	}
	if !slices.Contains(p.RefKinds, kind) {
		return bad(fmt.Sprintf("%s must refer to %s %s stage; %s.%s is %s %s stage.", p.Name, article(kinds), kinds, kind, attr.Name, article(kind), kind))
	}
	return stage.Value{Type: stage.RefParam, Ref: kind + "." + attr.Name}, nil
}

func decodeRefList(p stage.ParamSpec, expr hcl.Expression) (stage.Value, hcl.Diagnostics) {
	elems, diags := hcl.ExprList(expr)
	if diags.HasErrors() || len(elems) == 0 {
		return stage.Value{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for " + p.Name,
			Detail: fmt.Sprintf("%s must be a non-empty list of %s stages, e.g. [%s.a, %s.b].",
				p.Name, strings.Join(p.RefKinds, " or "), p.RefKinds[0], p.RefKinds[0]),
			Subject: expr.Range().Ptr(),
		}}
	}
	v := stage.Value{Type: stage.RefList}
	seen := map[string]bool{}
	for _, e := range elems {
		r, d := decodeRef(p, e)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		if seen[r.Ref] {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate reference in " + p.Name,
				Detail:   fmt.Sprintf("%s is listed twice in %s; list each stage once.", r.Ref, p.Name),
				Subject:  e.Range().Ptr(),
			})
			continue
		}
		seen[r.Ref] = true
		v.Refs = append(v.Refs, r.Ref)
	}
	return v, diags
}

func decodeFile(p stage.ParamSpec, expr hcl.Expression, c *Config) (stage.Value, hcl.Diagnostics) {
	bad := func(summary, detail string) (stage.Value, hcl.Diagnostics) {
		return stage.Value{}, hcl.Diagnostics{{
			Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: expr.Range().Ptr(),
		}}
	}
	call, diags := hcl.ExprCall(expr)
	if diags.HasErrors() || call.Name != "file" || len(call.Arguments) != 1 {
		return bad("Invalid value for "+p.Name, fmt.Sprintf(`%s must be file("path"), naming a file relative to the pipeline file.`, p.Name))
	}
	arg, diags := call.Arguments[0].Value(nil)
	if diags.HasErrors() || arg.Type() != cty.String || arg.IsNull() {
		return bad("Invalid value for "+p.Name, `file() takes one string: the file's path, e.g. file("obs.npy").`)
	}
	path := arg.AsString()
	resolved := path
	if !filepath.IsAbs(path) {
		resolved = filepath.Join(c.Dir, path)
	}
	f, err := stage.HashFile(path, resolved)
	var fe *artifacts.FileError
	switch {
	case errors.As(err, &fe):
		return bad("Cannot read file for "+p.Name, fe.Error())
	case err != nil:
		return bad("Cannot read file for "+p.Name, fmt.Sprintf("%s: %v.", path, unwrapPath(err)))
	}
	return stage.Value{Type: stage.FileParam, File: f}, nil
}

// unwrapPath drops the operation and path that an *fs.PathError repeats:
// "open /a/b.npy: no such file or directory" becomes "no such file or
// directory", for messages that name the file already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
