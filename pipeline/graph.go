package pipeline

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// checkCycles reports every dependency cycle, naming each stage on it in
// a canonical rotation (starting at the smallest address) and pointing at
// each reference that closes it.
func (c *Config) checkCycles() hcl.Diagnostics {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var diags hcl.Diagnostics
	seen := map[string]bool{}
	var visit func(addr string)
	visit = func(addr string) {
		color[addr] = grey
		stack = append(stack, addr)
		for _, dep := range c.byAddr[addr].Deps() {
			switch color[dep] {
			case white:
				visit(dep)
			case grey:
				i := len(stack) - 1
				for stack[i] != dep {
					i--
				}
				cycle := canonicalRotation(stack[i:])
				if id := strings.Join(cycle, " "); !seen[id] {
					seen[id] = true
					diags = append(diags, c.cycleDiag(cycle))
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[addr] = black
	}
	for _, addr := range c.Addrs() {
		if color[addr] == white {
			visit(addr)
		}
	}
	return diags
}

// canonicalRotation rotates a cycle, given as a path in which each stage
// depends on the next and the last on the first, to start at its smallest
// address.
func canonicalRotation(cycle []string) []string {
	min := 0
	for i, a := range cycle {
		if a < cycle[min] {
			min = i
		}
	}
	return append(append([]string{}, cycle[min:]...), cycle[:min]...)
}

func (c *Config) cycleDiag(cycle []string) *hcl.Diagnostic {
	var lines []string
	var first *hcl.Range
	for i, from := range cycle {
		to := cycle[(i+1)%len(cycle)]
		for _, r := range c.byAddr[from].Refs {
			if r.Stage == to {
				lines = append(lines, fmt.Sprintf("  %s.%s = %s (%s)", from, r.Param, to, r.Range))
				if first == nil {
					first = r.Range.Ptr()
				}
				break
			}
		}
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Dependency cycle",
		Detail: fmt.Sprintf("These stages depend on each other in a cycle, so none can run first: %s -> %s.\n%s\nRemove one of these references.",
			strings.Join(cycle, " -> "), cycle[0], strings.Join(lines, "\n")),
		Subject: first,
	}
}

// Addrs returns every stage address, sorted.
func (c *Config) Addrs() []string {
	out := make([]string, 0, len(c.Stages))
	for _, s := range c.Stages {
		out = append(out, s.Addr)
	}
	sort.Strings(out)
	return out
}

// Order returns the stages in a deterministic topological order: among
// the stages whose dependencies are all placed, the smallest address
// comes first.
func (c *Config) Order() []*Stage {
	indeg := map[string]int{}
	users := map[string][]string{}
	for _, s := range c.Stages {
		for _, d := range s.Deps() {
			indeg[s.Addr]++
			users[d] = append(users[d], s.Addr)
		}
	}
	var ready, order []string
	for _, a := range c.Addrs() {
		if indeg[a] == 0 {
			ready = append(ready, a)
		}
	}
	for len(ready) > 0 {
		sort.Strings(ready)
		a := ready[0]
		ready = ready[1:]
		order = append(order, a)
		for _, u := range users[a] {
			if indeg[u]--; indeg[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	out := make([]*Stage, len(order))
	for i, a := range order {
		out[i] = c.byAddr[a]
	}
	return out
}

// Closure returns the named stages and everything upstream of them, in
// topological order.
func (c *Config) Closure(targets []string) []*Stage {
	want := map[string]bool{}
	var add func(string)
	add = func(a string) {
		if want[a] {
			return
		}
		want[a] = true
		for _, d := range c.byAddr[a].Deps() {
			add(d)
		}
	}
	for _, t := range targets {
		add(t)
	}
	var out []*Stage
	for _, s := range c.Order() {
		if want[s.Addr] {
			out = append(out, s)
		}
	}
	return out
}

// Downstream returns the stages that depend on addr, directly or not.
func (c *Config) Downstream(addr string) []string {
	var out []string
	for _, s := range c.Order() {
		for _, d := range s.Deps() {
			if d == addr || slices.Contains(out, d) {
				out = append(out, s.Addr)
				break
			}
		}
	}
	return out
}

// Text renders the graph as one line per stage with its dependencies.
func (c *Config) Text() string {
	var b strings.Builder
	for _, s := range c.Order() {
		fmt.Fprintf(&b, "%s", s.Addr)
		if len(s.Refs) > 0 {
			var deps []string
			for _, r := range s.Refs {
				deps = append(deps, r.Param+"="+r.Stage)
			}
			fmt.Fprintf(&b, " <- %s", strings.Join(deps, ", "))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Dot renders the graph in Graphviz DOT.
func (c *Config) Dot() string {
	var b strings.Builder
	b.WriteString("digraph sdapipe {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n")
	for _, s := range c.Order() {
		fmt.Fprintf(&b, "  %q;\n", s.Addr)
	}
	for _, s := range c.Order() {
		for _, r := range s.Refs {
			fmt.Fprintf(&b, "  %q -> %q [label=%q];\n", r.Stage, s.Addr, r.Param)
		}
	}
	b.WriteString("}\n")
	return b.String()
}
