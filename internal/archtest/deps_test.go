// Package archtest checks the shape of the repository: which packages may
// import which (tailscale's deptest idea). It has only tests.
package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/sonde-project/sonde"

type pkg struct {
	ImportPath string
	Imports    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// area is the top-level folder of a package of this module.
func area(path string) string {
	rest := strings.TrimPrefix(path, module+"/")
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[:i]
	}
	return rest
}

// allowed lists, for each area, the areas of this module it may import
// (besides itself). cmd may import anything.
var allowed = map[string][]string{
	"probe":     {"internal", "testlists"},
	"collector": {"internal", "analysis", "testlists"},
	"analysis":  {"internal"},
	"testlists": {"internal"},
	"internal":  {"internal"},
}

// TestDependenciesPointOneWay enforces cmd → probe / collector / analysis
// / testlists → internal: the probe and the collector never import each
// other, and nothing imports cmd.
func TestDependenciesPointOneWay(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 5 {
		t.Fatalf("go list found %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		from := area(p.ImportPath)
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			to := area(imp)
			if to == from || from == "cmd" {
				continue
			}
			ok := false
			for _, a := range allowed[from] {
				ok = ok || a == to
			}
			if !ok {
				t.Errorf("%s imports %s: %s may import only %v", p.ImportPath, imp, from, allowed[from])
			}
		}
	}
}

// TestProbeAndCollectorStayApart: not even the tests of one import the
// other; what both need (the control helper, the wire protocol) lives in
// internal/.
func TestProbeAndCollectorStayApart(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .TestImports \" \"}} {{join .XTestImports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		from := area(fields[0])
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			to := area(imp)
			if (from == "probe" && to == "collector") || (from == "collector" && to == "probe") {
				t.Errorf("tests of %s import %s", fields[0], imp)
			}
		}
	}
}

// TestNettestsAreIndependent: one network test never imports another, and
// test-support packages (…test) are imported only by tests.
func TestNettestsAreIndependent(t *testing.T) {
	const nettests = module + "/probe/nettest/"
	for _, p := range listPackages(t) {
		for _, imp := range p.Imports {
			if strings.HasPrefix(p.ImportPath, nettests) && strings.HasPrefix(imp, nettests) &&
				!strings.HasSuffix(imp, "test") {
				t.Errorf("%s imports another network test, %s", p.ImportPath, imp)
			}
			if strings.HasPrefix(imp, module+"/") && strings.HasSuffix(imp, "test") &&
				!strings.HasSuffix(p.ImportPath, "test") && imp != module+"/probe/nettest" {
				t.Errorf("%s imports the test-support package %s outside tests", p.ImportPath, imp)
			}
		}
	}
}
