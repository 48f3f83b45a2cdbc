package artifacts

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

// arrowJSModule returns the apache-arrow package directory named by
// $SDAPIPE_ARROW_JS (the package itself, a node_modules directory, or a
// directory holding node_modules), or skips the test.
func arrowJSModule(t *testing.T) string {
	t.Helper()
	root := os.Getenv("SDAPIPE_ARROW_JS")
	if root == "" {
		t.Skip("skipping Arrow JS cross-check: set SDAPIPE_ARROW_JS to a directory where " +
			"`npm install apache-arrow` ran (it holds node_modules/apache-arrow)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("skipping Arrow JS cross-check: node not found")
	}
	for _, dir := range []string{
		filepath.Join(root, "node_modules", "apache-arrow"),
		filepath.Join(root, "apache-arrow"),
		root,
	} {
		if _, err := os.Stat(filepath.Join(dir, "Arrow.node.js")); err == nil {
			abs, err := filepath.Abs(dir)
			if err != nil {
				t.Fatal(err)
			}
			return abs
		}
	}
	t.Fatalf("SDAPIPE_ARROW_JS=%s holds no apache-arrow package", root)
	return ""
}

// jsTable is what testdata/arrow_js.cjs prints for a file.
type jsTable struct {
	NumRows  int               `json:"numRows"`
	Batches  int               `json:"batches"`
	Metadata map[string]string `json:"metadata"`
	Fields   []struct {
		Name      string            `json:"name"`
		Type      string            `json:"type"`
		Metadata  map[string]string `json:"metadata"`
		NullCount int               `json:"nullCount"`
		Values    []any             `json:"values"`
	} `json:"fields"`
}

// TestArrowJS has the JavaScript Arrow implementation read a file that
// WriteArrow wrote and compares every type, value and metadata entry.
func TestArrowJS(t *testing.T) {
	mod := arrowJSModule(t)
	t.Parallel()
	in := sampleTable()
	path := filepath.Join(t.TempDir(), "t.arrow")
	if err := WriteFileAtomic(path, encodeArrow(t, in), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("node", filepath.Join("testdata", "arrow_js.cjs"), mod, "read", path).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got jsTable
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if got.NumRows != 3 || got.Batches != 1 || !reflect.DeepEqual(got.Metadata, in.Metadata) {
		t.Fatalf("JS read %d rows in %d batches, metadata %v", got.NumRows, got.Batches, got.Metadata)
	}
	types := []string{"Int64", "Int32", "Float64", "Float32", "Utf8", "Bool", "FixedSizeList[6]<Float32>"}
	for i, c := range in.Columns {
		f := got.Fields[i]
		md := map[string]string{}
		for k, v := range c.Metadata {
			md[k] = v
		}
		if c.TensorShape != nil {
			md[extNameKey], md[extMetaKey] = tensorExtName, `{"shape":[2,3]}`
		}
		if f.Name != c.Name || f.Type != types[i] || f.NullCount != 0 || !reflect.DeepEqual(f.Metadata, md) {
			t.Errorf("column %d: JS sees %s %s nulls=%d %v", i, f.Name, f.Type, f.NullCount, f.Metadata)
		}
		if want := jsPlain(t, c); !reflect.DeepEqual(f.Values, want) {
			t.Errorf("column %s: JS values %v, want %v", c.Name, f.Values, want)
		}
	}
}

// jsPlain renders a column as arrow_js.cjs prints it, normalized through JSON.
func jsPlain(t *testing.T, c Column) []any {
	num := func(v float64) any {
		switch {
		case math.IsNaN(v):
			return "NaN"
		case math.IsInf(v, 1):
			return "Infinity"
		case math.IsInf(v, -1):
			return "-Infinity"
		case v == 0 && math.Signbit(v):
			return "-0"
		}
		return v
	}
	var vals []any
	switch s := c.Data.(type) {
	case []float32:
		if c.TensorShape != nil {
			n, _ := shapeLen(c.TensorShape)
			for i := 0; i < len(s); i += n {
				var row []any
				for _, v := range s[i : i+n] {
					row = append(row, num(float64(v)))
				}
				vals = append(vals, row)
			}
			break
		}
		for _, v := range s {
			vals = append(vals, num(float64(v)))
		}
	case []float64:
		for _, v := range s {
			vals = append(vals, num(v))
		}
	case []int32:
		for _, v := range s {
			vals = append(vals, v)
		}
	case []int64:
		for _, v := range s {
			vals = append(vals, strconv.FormatInt(v, 10))
		}
	case []string:
		for _, v := range s {
			vals = append(vals, v)
		}
	case []bool:
		for _, v := range s {
			vals = append(vals, v)
		}
	}
	b, err := json.Marshal(vals)
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
