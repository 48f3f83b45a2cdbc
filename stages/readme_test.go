package stages_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"sdapipe/schemas"
	"sdapipe/stages"
)

var update = flag.Bool("update", false, "rewrite generated sections and golden files")

// TestReadmeIsCurrent keeps the README's generated tables (artifact kinds
// and the pipeline.hcl reference) in step with the declarations they come
// from. Run with -update to rewrite them.
func TestReadmeIsCurrent(t *testing.T) {
	const path = "../README.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, sec := range []struct{ name, body string }{
		{"schemas", schemas.Markdown()},
		{"stages", stages.Default().Markdown()},
	} {
		begin, end := "<!-- BEGIN GENERATED: "+sec.name+" -->\n", "<!-- END GENERATED: "+sec.name+" -->"
		i, j := strings.Index(text, begin), strings.Index(text, end)
		if i < 0 || j < i {
			t.Fatalf("README lacks the %s markers", sec.name)
		}
		if got := text[i+len(begin) : j]; got != sec.body {
			if !*update {
				t.Errorf("README section %s is out of date; run go test ./stages -run Readme -update", sec.name)
				continue
			}
			text = text[:i+len(begin)] + sec.body + text[j:]
		}
	}
	if *update {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
