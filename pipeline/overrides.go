package pipeline

import (
	"fmt"
	"regexp"
	"sdapipe/stage"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// itemParam matches the dotted name of a list item's setting, written
// op.1.factor or op[1].factor.
var itemParam = regexp.MustCompile(`^(\w+)(?:\.(\d+)|\[(\d+)\])\.(\w+)$`)

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
	target := st.Params
	spec, ok := st.Kind.Param(dotted)
	if m := itemParam.FindStringSubmatch(dotted); m != nil {
		// list.INDEX.param or list[INDEX].param: a setting of one item.
		items := st.Params.List(m[1])
		i, _ := strconv.Atoi(m[2] + m[3])
		if i >= len(items) {
			return bad("Invalid --set", fmt.Sprintf("--set %q: stage %s has %d %s blocks; %s[%d] is not one of them.", set, addr, len(items), m[1], m[1], i))
		}
		l, _ := st.Kind.List(m[1])
		item, _ := l.Item(items[i].Label)
		for _, ps := range item.Params {
			if ps.Name == m[4] {
				spec, ok = ps, true
			}
		}
		if !ok {
			return bad("Invalid --set", fmt.Sprintf("--set %q: the %s %q block has no setting %q.", set, m[1], items[i].Label, m[4]))
		}
		target = items[i].Params
		dotted = fmt.Sprintf("%s[%d].%s", m[1], i, m[4])
	} else if !ok {
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
	if block, _, isBlock := strings.Cut(dotted, "."); isBlock && len(parts) > 3 && target == st.Params {
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
	target.Explicit[spec.Name] = true
	st.ranges[dotted] = expr.Range()
	return nil
}
