package stages_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReliabilityPromisesNameTests checks that every test the README's
// Reliability section cites exists, so that each promise stays backed.
func TestReliabilityPromisesNameTests(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "\n## Reliability\n")
	if i < 0 {
		t.Fatal("README has no Reliability section")
	}
	sec := text[i+1:]
	if j := strings.Index(sec[3:], "\n## "); j >= 0 {
		sec = sec[:j+3]
	}
	cited := regexp.MustCompile("`((?:Test|Fuzz)[A-Za-z0-9]+)`").FindAllStringSubmatch(sec, -1)
	if len(cited) < 10 {
		t.Fatalf("the Reliability section cites only %d tests", len(cited))
	}
	var src strings.Builder
	err = filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, "_test.go") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			src.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range cited {
		if !strings.Contains(src.String(), "func "+m[1]+"(") {
			t.Errorf("README cites %s, which no test file defines", m[1])
		}
	}
}
