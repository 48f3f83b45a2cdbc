package pipeline

import (
	"fmt"
	"sort"
	"strings"

	"sdapipe/artifacts"
	"sdapipe/stage"
)

// keySalt names the layout of the cache key; changing it reruns everything.
const keySalt = "sdapipe-key-v1"

// key computes a stage's cache key from its kind and code version, its seed
// stream (pipeline seed and stage address), its evaluated parameters and
// the digests of the upstream outputs it uses. With inputs nil only the
// stage's own parts are hashed, for explaining a stage whose upstream has
// yet to run.
func (c *Config) key(st *Stage, inputs map[string]stage.Upstream) (artifacts.Digest, []artifacts.Field) {
	h := artifacts.NewHasher(keySalt)
	h.String("kind", st.Kind.Name)
	h.Int("code version", int64(st.Kind.Version))
	h.Uint("seed", c.Seed)
	h.String("seed stream", st.Addr)
	st.Params.Fingerprint(h, "")
	if inputs != nil {
		for _, r := range st.Refs {
			up := inputs[r.Param]
			for _, name := range usedOutputs(st, r.Param, up) {
				h.Digest("input "+r.Param+"."+name, up.Outputs[name].Digest)
			}
		}
	}
	return h.Sum(), h.Fields()
}

// usedOutputs lists, sorted, the upstream outputs a reference reads: those
// its parameter declares in Uses, or all of them.
func usedOutputs(st *Stage, param string, up stage.Upstream) []string {
	spec, _ := st.Kind.Param(stage.BaseParam(param))
	var names []string
	if len(spec.Uses) > 0 {
		names = append(names, spec.Uses...)
	} else {
		for n := range up.Outputs {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// diffFields explains how a key's parts changed, one sentence per change,
// in the order of the new parts. Parts whose label starts with a prefix in
// skip are ignored.
func diffFields(old, cur []artifacts.Field, skip ...string) []string {
	skipped := func(label string) bool {
		for _, p := range skip {
			if strings.HasPrefix(label, p) {
				return true
			}
		}
		return false
	}
	prev := map[string]string{}
	for _, f := range old {
		prev[f.Label] = f.Value
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range cur {
		seen[f.Label] = true
		if skipped(f.Label) {
			continue
		}
		was, ok := prev[f.Label]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s added: %s", f.Label, short(f.Value)))
		case was != f.Value:
			out = append(out, fmt.Sprintf("%s changed: %s -> %s", f.Label, short(was), short(f.Value)))
		}
	}
	for _, f := range old {
		if !seen[f.Label] && !skipped(f.Label) {
			out = append(out, fmt.Sprintf("%s removed (was %s)", f.Label, short(f.Value)))
		}
	}
	return out
}

// short abbreviates digests for messages.
func short(v string) string {
	if len(v) == 64 && strings.Trim(v, "0123456789abcdef") == "" {
		return v[:12]
	}
	return v
}

// planSalt names the layout of plan keys.
const planSalt = "sdapipe-plan-v1"

// PlanKey hashes what a stage computes, without running anything: its own
// key parts (kind, code version, seed stream, parameters) and, by stage
// reference, the plan keys of the stages it reads. Outputs are a function
// of these, so two configs that give a stage the same plan key ask it for
// the same bytes, and a batch job submitted under one can serve the other.
func (c *Config) PlanKey(addr string) artifacts.Digest {
	memo := map[string]artifacts.Digest{}
	var plan func(st *Stage) artifacts.Digest
	plan = func(st *Stage) artifacts.Digest {
		if d, ok := memo[st.Addr]; ok {
			return d
		}
		h := artifacts.NewHasher(planSalt)
		_, own := c.key(st, nil)
		for _, f := range own {
			h.String(f.Label, f.Value)
		}
		for _, r := range st.Refs {
			h.Digest("input "+r.Param, plan(c.byAddr[r.Stage]))
		}
		memo[st.Addr] = h.Sum()
		return memo[st.Addr]
	}
	return plan(c.byAddr[addr])
}
