package slurm

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"sdapipe/pipeline"
)

// Resources are the sbatch options of one stage's jobs.
type Resources struct {
	Partition string   // --partition; "" is the cluster's default
	Account   string   // --account; "" is the user's default
	CPUs      int      // --cpus-per-task, also the job's GOMAXPROCS
	Memory    string   // --mem, e.g. "4G"; "" is the cluster's default
	Time      string   // --time, e.g. "2:00:00"; "" is the partition's default
	GPUs      int      // --gpus; 0 asks for none
	Flags     []string // further sbatch options, e.g. "--qos=long"
	// Array is the number of tasks of the job array that runs a stage
	// whose kind splits (sample); 1 runs it as one job. Stages whose
	// kinds do not split ignore it.
	Array int
}

// Settings are the decoded executor "slurm" block: resources for every
// stage, per kind and per stage, and how often the driver polls.
type Settings struct {
	Poll   time.Duration // how often the driver asks Slurm about its jobs
	base   layer
	kinds  map[string]layer
	stages map[string]layer
}

// A layer is one block's settings: those it sets override the layers
// below (defaults < executor block < kind block < stage block).
type layer struct {
	r   Resources
	set map[string]bool
}

func (l layer) apply(r *Resources) {
	for name := range l.set {
		switch name {
		case "partition":
			r.Partition = l.r.Partition
		case "account":
			r.Account = l.r.Account
		case "cpus":
			r.CPUs = l.r.CPUs
		case "memory":
			r.Memory = l.r.Memory
		case "time":
			r.Time = l.r.Time
		case "gpus":
			r.GPUs = l.r.GPUs
		case "flags":
			r.Flags = l.r.Flags
		case "array":
			r.Array = l.r.Array
		}
	}
}

// Defaults of the settings the file leaves out.
const (
	DefaultCPUs = 1
	DefaultPoll = 500 * time.Millisecond
)

// For returns the resources of a stage's jobs.
func (s *Settings) For(st *pipeline.Stage) Resources {
	r := Resources{CPUs: DefaultCPUs, Array: 1}
	s.base.apply(&r)
	if l, ok := s.kinds[st.Kind.Name]; ok {
		l.apply(&r)
	}
	if l, ok := s.stages[st.Addr]; ok {
		l.apply(&r)
	}
	if st.Kind.Split == nil {
		r.Array = 1
	}
	return r
}

// Decode reads the executor "slurm" block of cfg, if any. Every problem
// comes back as a diagnostic pointing at the setting.
func Decode(cfg *pipeline.Config) (*Settings, hcl.Diagnostics) {
	s := &Settings{Poll: DefaultPoll, kinds: map[string]layer{}, stages: map[string]layer{}}
	b := cfg.Executor("slurm")
	if b == nil {
		return s, nil
	}
	schema := &hcl.BodySchema{
		Attributes: append(resourceAttrs(), hcl.AttributeSchema{Name: "poll"}),
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "kind", LabelNames: []string{"name"}},
			{Type: "stage", LabelNames: []string{"address"}},
		},
	}
	content, diags := b.Body.Content(schema)
	if content == nil {
		return s, diags
	}
	if a, ok := content.Attributes["poll"]; ok {
		str, d := stringAttr(a)
		diags = append(diags, d...)
		if !d.HasErrors() {
			p, err := time.ParseDuration(str)
			if err != nil || p < 50*time.Millisecond || p > time.Minute {
				diags = append(diags, attrError(a, "Invalid poll interval",
					fmt.Sprintf("poll is how often sdapipe asks Slurm about its jobs, a duration from 50ms to 1m such as \"500ms\" or \"5s\"; got %q.", str))...)
			} else {
				s.Poll = p
			}
		}
		delete(content.Attributes, "poll")
	}
	var d hcl.Diagnostics
	s.base, d = decodeLayer(content.Attributes, mixed)
	diags = append(diags, d...)
	seen := map[string]hcl.Range{}
	for _, blk := range content.Blocks {
		label := blk.Labels[0]
		if prev, dup := seen[blk.Type+" "+label]; dup {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate " + blk.Type + " block",
				Detail:  fmt.Sprintf("A %s %q block is already declared at %s; put its settings in one block.", blk.Type, label, prev),
				Subject: blk.DefRange.Ptr()})
			continue
		}
		seen[blk.Type+" "+label] = blk.DefRange
		inner, d := blk.Body.Content(&hcl.BodySchema{Attributes: resourceAttrs()})
		diags = append(diags, d...)
		attrs := inner.Attributes
		if blk.Type == "kind" {
			k, ok := cfg.Kinds.Lookup(label)
			if !ok {
				var names []string
				for _, k := range cfg.Kinds.Kinds() {
					names = append(names, k.Name)
				}
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown stage kind",
					Detail:  fmt.Sprintf("There is no stage kind %q; kinds: %s.", label, strings.Join(names, ", ")),
					Subject: blk.LabelRanges[0].Ptr()})
				continue
			}
			l, d := decodeLayer(attrs, splittingOf(k.Split != nil))
			diags = append(diags, d...)
			s.kinds[label] = l
			continue
		}
		st := cfg.Stage(label)
		if st == nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown stage",
				Detail:  fmt.Sprintf("No stage %q is declared in this file; stages: %s.", label, strings.Join(cfg.Addrs(), ", ")),
				Subject: blk.LabelRanges[0].Ptr()})
			continue
		}
		l, d := decodeLayer(attrs, splittingOf(st.Kind.Split != nil))
		diags = append(diags, d...)
		s.stages[label] = l
	}
	return s, diags
}

func resourceAttrs() []hcl.AttributeSchema {
	var out []hcl.AttributeSchema
	for _, n := range []string{"partition", "account", "cpus", "memory", "time", "gpus", "flags", "array"} {
		out = append(out, hcl.AttributeSchema{Name: n})
	}
	return out
}

var (
	// Slurm's time formats: minutes, minutes:seconds, hours:minutes:seconds,
	// days-hours, days-hours:minutes, days-hours:minutes:seconds.
	timeRE   = regexp.MustCompile(`^(\d+(:\d+){0,2}|\d+-\d+(:\d+){0,2}|UNLIMITED|INFINITE|unlimited|infinite)$`)
	memoryRE = regexp.MustCompile(`^\d+[KMGTkmgt]?$`)
	nameRE   = regexp.MustCompile(`^[A-Za-z0-9_.,+-]+$`)
)

// managed lists the sbatch options the executor sets itself, with the
// setting to use instead where there is one.
var managed = map[string]string{
	"--array": "array", "-a": "array", "--cpus-per-task": "cpus", "-c": "cpus", "--mem": "memory",
	"--time": "time", "-t": "time", "--partition": "partition", "-p": "partition", "--account": "account",
	"-A": "account", "--gpus": "gpus", "-G": "gpus",
	"--dependency": "", "-d": "", "--kill-on-invalid-dep": "", "--output": "", "-o": "", "--error": "", "-e": "",
	"--job-name": "", "-J": "", "--parsable": "", "--chdir": "", "-D": "", "--wrap": "", "--open-mode": "",
}

// splitting says whether the stages a block applies to split into parts.
type splitting int

const (
	mixed   splitting = iota // the executor block: all stages
	splits                   // a kind or stage that splits
	unsplit                  // one that does not
)

func splittingOf(split bool) splitting {
	if split {
		return splits
	}
	return unsplit
}

// decodeLayer decodes the settings of one block, in the order of their
// names so that diagnostics come in a stable order.
func decodeLayer(attrs hcl.Attributes, sp splitting) (layer, hcl.Diagnostics) {
	l := layer{set: map[string]bool{}}
	var diags hcl.Diagnostics
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		a := attrs[name]
		var d hcl.Diagnostics
		switch name {
		case "partition", "account":
			var v string
			if v, d = stringAttr(a); !d.HasErrors() && !nameRE.MatchString(v) {
				d = attrError(a, "Invalid "+name, fmt.Sprintf("A Slurm %s name holds letters, digits and . _ - , +; got %q.", name, v))
			}
			if name == "partition" {
				l.r.Partition = v
			} else {
				l.r.Account = v
			}
		case "cpus", "gpus", "array":
			var n int
			lo := map[string]int{"cpus": 1, "gpus": 0, "array": 1}[name]
			if n, d = intAttr(a, lo, 1<<16); name == "cpus" {
				l.r.CPUs = n
			} else if name == "gpus" {
				l.r.GPUs = n
			} else {
				l.r.Array = n
				if sp == unsplit && n > 1 && !d.HasErrors() {
					d = attrError(a, "Kind does not split", "Only stages whose work splits into independent units (sample) run as job arrays; remove array here.")
				}
			}
		case "memory":
			var v string
			if v, d = stringAttr(a); !d.HasErrors() && !memoryRE.MatchString(v) {
				d = attrError(a, "Invalid memory", fmt.Sprintf("memory is sbatch's --mem: a whole number with an optional unit K, M, G or T, e.g. \"4G\"; got %q.", v))
			}
			l.r.Memory = v
		case "time":
			var v string
			if v, d = stringAttr(a); !d.HasErrors() && !timeRE.MatchString(v) {
				d = attrError(a, "Invalid time", fmt.Sprintf("time is sbatch's --time, e.g. \"90\" (minutes), \"2:00:00\" or \"1-12:00:00\"; got %q.", v))
			}
			l.r.Time = v
		case "flags":
			l.r.Flags, d = flagsAttr(a)
		}
		diags = append(diags, d...)
		if !d.HasErrors() {
			l.set[name] = true
		}
	}
	return l, diags
}

func attrError(a *hcl.Attribute, summary, detail string) hcl.Diagnostics {
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: a.Expr.Range().Ptr()}}
}

func stringAttr(a *hcl.Attribute) (string, hcl.Diagnostics) {
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return "", diags
	}
	if v.IsNull() || v.Type() != cty.String {
		return "", attrError(a, "Invalid value for "+a.Name, fmt.Sprintf("%s must be a string.", a.Name))
	}
	return v.AsString(), nil
}

func intAttr(a *hcl.Attribute, lo, hi int) (int, hcl.Diagnostics) {
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return 0, diags
	}
	if !v.IsNull() && v.Type() == cty.Number {
		if bf := v.AsBigFloat(); bf.IsInt() {
			if n, _ := bf.Int64(); n >= int64(lo) && n <= int64(hi) {
				return int(n), nil
			}
		}
	}
	return 0, attrError(a, "Invalid value for "+a.Name, fmt.Sprintf("%s must be a whole number from %d to %d.", a.Name, lo, hi))
}

func flagsAttr(a *hcl.Attribute) ([]string, hcl.Diagnostics) {
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return nil, diags
	}
	bad := attrError(a, "Invalid flags", `flags is a list of sbatch options, each starting with "-", e.g. ["--qos=long", "--constraint=avx512"].`)
	if v.IsNull() || !(v.Type().IsListType() || v.Type().IsTupleType()) {
		return nil, bad
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || e.Type() != cty.String || !strings.HasPrefix(e.AsString(), "-") {
			return nil, bad
		}
		f := e.AsString()
		name, _, _ := strings.Cut(f, "=")
		if setting, ok := managed[name]; ok {
			detail := fmt.Sprintf("sdapipe sets %s itself for every job.", name)
			if setting != "" {
				detail = fmt.Sprintf("Use the %s setting instead of %s in flags.", setting, name)
			}
			return nil, attrError(a, "Flag the executor sets", detail)
		}
		out = append(out, f)
	}
	return slices.Clip(out), nil
}

// Args returns the sbatch options for these resources.
func (r Resources) Args() []string {
	args := []string{"--ntasks=1", fmt.Sprintf("--cpus-per-task=%d", r.CPUs)}
	add := func(flag, v string) {
		if v != "" {
			args = append(args, flag+"="+v)
		}
	}
	add("--partition", r.Partition)
	add("--account", r.Account)
	add("--mem", r.Memory)
	add("--time", r.Time)
	if r.GPUs > 0 {
		args = append(args, fmt.Sprintf("--gpus=%d", r.GPUs))
	}
	return append(args, r.Flags...)
}
