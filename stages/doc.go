// Package stages holds sdapipe's stage kinds — simulate, train, observe,
// filter, sample, evaluate — as thin adapters between the artifact store
// and the science packages: each decodes its parameters, reads its inputs
// (checked against their schemas and digests), calls the science code and
// writes its outputs through an Env.
//
// A Kind declares its parameters (type, default, range, documentation),
// its outputs with their schemas and a Version that enters every cache key
// of the kind; package pipeline decodes pipeline.hcl against these
// declarations, plans, and runs the kinds' Run functions.
package stages

import (
	"fmt"
	"strings"
)

// Markdown documents every stage kind's parameters and outputs, for the
// README.
func Markdown() string {
	var b strings.Builder
	for _, k := range Kinds() {
		fmt.Fprintf(&b, "#### `%s` — %s\n\n| parameter | type | default | meaning |\n|---|---|---|---|\n", k.Name, k.Doc)
		rows := func(prefix string, ps []ParamSpec) {
			for _, p := range ps {
				def := "required"
				if v, ok := p.DefaultValue(); ok {
					def = "`" + v.Text() + "`"
				} else if p.Optional {
					def = "optional"
				}
				typ := p.Type.String()
				if len(p.RefKinds) > 0 {
					typ = strings.Join(p.RefKinds, "/") + " " + typ
				}
				fmt.Fprintf(&b, "| `%s%s` | %s | %s | %s |\n", prefix, p.Name, typ, def, p.Doc)
			}
		}
		rows("", k.Params)
		for _, bl := range k.Blocks {
			rows(bl.Name+".", bl.Params)
		}
		b.WriteString("\nOutputs: ")
		for i, o := range k.Outputs {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "`%s` (%s)", o.Name, o.Schema)
		}
		b.WriteString(".\n\n")
	}
	return b.String()
}
