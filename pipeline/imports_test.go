package pipeline

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sciencePackages are the packages that compute: usable as a Go library,
// they know nothing of pipelines, stages or files.
var sciencePackages = []string{"dynamics", "diffusion", "observe", "filters", "metrics", "training",
	"nets", "nets/resmlp", "nn", "nn/gemm", "internal/chunks", "assim", "optim", "internal/floats", "dynamics/kolmogorov", "internal/fft", "nets/unet", "nn/conv"}

// TestFrameworkLinksNoScience checks the other side of the boundary: the
// pipeline, the stage framework and the executors do not depend on any
// science package (only the kinds in package stages do), so a pipeline can
// be built, and tested, with kinds of its own.
func TestFrameworkLinksNoScience(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list; skipped in -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	for _, pkg := range []string{"sdapipe/pipeline", "sdapipe/stage", "sdapipe/executor/slurm"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "sdapipe/stages" {
				t.Errorf("%s depends on sdapipe/stages, the concrete kinds", pkg)
			}
			for _, sci := range sciencePackages {
				if dep == "sdapipe/"+sci {
					t.Errorf("%s depends on science package %s", pkg, dep)
				}
			}
		}
	}
}

// TestDiffusionKnowsNoNetwork: the sampler, guidance and composite score
// see networks only through their Denoiser interfaces.
func TestDiffusionKnowsNoNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list; skipped in -short")
	}
	out, err := exec.Command("go", "list", "-deps", "sdapipe/diffusion").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "sdapipe/nn" || dep == "sdapipe/nets" || strings.HasPrefix(dep, "sdapipe/nn/") || strings.HasPrefix(dep, "sdapipe/nets/") {
			t.Errorf("sdapipe/diffusion depends on %s", dep)
		}
	}
}

// TestScienceImportsPointDown checks the package boundary of the design:
// science packages (and nn) never import the pipeline, the stages, the
// artifact store or HCL, directly or not, and do no file I/O of their own.
func TestScienceImportsPointDown(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list; skipped in -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	science := sciencePackages
	forbiddenDeps := []string{"sdapipe/pipeline", "sdapipe/stages", "sdapipe/artifacts", "sdapipe/schemas",
		"sdapipe/cmd", "github.com/hashicorp/hcl"}
	for _, pkg := range science {
		path := "sdapipe/" + pkg
		if files, _ := filepath.Glob(filepath.Join("..", pkg, "*.go")); len(files) == 0 {
			continue // not written yet
		}
		out, err := exec.Command("go", "list", "-f", "{{join .Imports \" \"}}|{{join .Deps \" \"}}", path).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", path, err, out)
		}
		imports, deps, _ := strings.Cut(strings.TrimSpace(string(out)), "|")
		for _, imp := range strings.Fields(imports) {
			if imp == "os" || imp == "os/exec" {
				t.Errorf("%s imports %s: science code does no I/O of its own", path, imp)
			}
		}
		for _, dep := range strings.Fields(deps) {
			for _, bad := range forbiddenDeps {
				if dep == bad || strings.HasPrefix(dep, bad+"/") {
					t.Errorf("%s depends on %s; imports must point down (cmd -> pipeline -> stages -> science -> nn)", path, dep)
				}
			}
		}
	}
}
