package pipeline

import (
	"fmt"
	"sdapipe/stage"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// applyOverrides applies --set arguments of the form kind.name.param=value
// (or kind.name.block.param=value). The value is an HCL expression, so
// numbers, lists, references and quoted strings are written as in the
// file; a bare word is taken as a string for string parameters.
func (c *Config) applyOverrides(sets []string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, set := range sets {
		diags = append(diags, c.applyOverride(set)...)
	}
	return diags
}

func (c *Config) applyOverride(set string) hcl.Diagnostics {
	bad := func(summary, detail string) hcl.Diagnostics {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail}}
	}
	key, value, ok := strings.Cut(set, "=")
	if !ok {
		return bad("Invalid --set", fmt.Sprintf("--set %q must have the form stage.param=value, e.g. train.k2.steps=4000.", set))
	}
	parts := strings.Split(strings.TrimSpace(key), ".")
	if len(parts) < 3 {
		return bad("Invalid --set", fmt.Sprintf("--set %q must name a stage and a parameter, e.g. train.k2.steps=4000.", set))
	}
	addr, dotted := parts[0]+"."+parts[1], strings.Join(parts[2:], ".")
	st := c.byAddr[addr]
	if st == nil {
		return bad("Invalid --set", fmt.Sprintf("--set %q: no stage %s in %s.", set, addr, c.Filename))
	}
	spec, ok := st.Kind.Param(dotted)
	if !ok {
		return bad("Invalid --set", fmt.Sprintf("--set %q: a %s stage has no parameter %q.", set, st.Kind.Name, dotted))
	}
	src := []byte(value)
	if spec.Type == stage.String && hclsyntax.ValidIdentifier(value) {
		src = []byte(fmt.Sprintf("%q", value))
	}
	filename := "--set " + key
	expr, diags := hclsyntax.ParseExpression(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return diags
	}
	v, diags := decodeValue(spec, expr, c)
	if diags.HasErrors() {
		st.broken = true
		return diags
	}
	target := st.Params
	if block, _, isBlock := strings.Cut(dotted, "."); isBlock && len(parts) > 3 {
		if target.Blocks[block] == nil {
			// A variant block may be left out of the file (it then takes its
			// defaults), so --set may start one; other blocks mean something
			// by being there and must be written in the file.
			spec := blockSpec(st.Kind.Blocks, block)
			if spec.Variant == "" {
				return bad("Invalid --set", fmt.Sprintf("--set %q: stage %s has no %s block to set %s in; add the block to %s.",
					set, addr, block, dotted, c.Filename))
			}
			target.Blocks[block], _ = spec.Defaults() // required settings are checked with the variant
		}
		target = target.Blocks[block]
	}
	target.Values[spec.Name] = v
	st.ranges[dotted] = expr.Range()
	return nil
}
