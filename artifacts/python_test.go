package artifacts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// systemPython is the interpreter the numpy tests drive: Debian's, where
// python3-numpy is installed (a pyenv shim on PATH may lack numpy).
const systemPython = "/usr/bin/python3"

var numpyCheck = sync.OnceValue(func() string {
	if _, err := exec.LookPath(systemPython); err != nil {
		return systemPython + " not found"
	}
	if out, err := exec.Command(systemPython, "-c", "import numpy").CombinedOutput(); err != nil {
		return systemPython + " cannot import numpy: " + strings.TrimSpace(string(out))
	}
	return ""
})

// needNumpy skips the test unless /usr/bin/python3 can import numpy.
func needNumpy(t *testing.T) {
	t.Helper()
	if why := numpyCheck(); why != "" {
		t.Skip("skipping numpy cross-check: " + why + " (apt-get install python3-numpy)")
	}
}

// runPython writes script into a temp file and runs it with args,
// returning its standard output; the test fails if it exits non-zero.
func runPython(t *testing.T, script string, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "script.py")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(systemPython, append([]string{path}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	return string(out)
}
