package scenario

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/internal/lab/sites"
)

var update = flag.Bool("update", false, "rewrite testdata/*.err with the current errors")

// TestInvalid loads every testdata/invalid-* file and compares the error
// with the one written beside it in <file>.err.
func TestInvalid(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid-*")
	var cases []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".err") {
			cases = append(cases, f)
		}
	}
	if len(cases) < 5 {
		t.Fatalf("found %d invalid cases", len(cases))
	}
	for _, f := range cases {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := Load(f)
			if err == nil {
				t.Fatal("loaded without error")
			}
			golden := f + ".err"
			if *update {
				if err := os.WriteFile(golden, []byte(err.Error()+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, rerr := os.ReadFile(golden)
			if rerr != nil {
				t.Fatalf("%v (run with -update to create it)", rerr)
			}
			if got := err.Error() + "\n"; got != string(want) {
				t.Errorf("error:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestValidJSON(t *testing.T) {
	s, err := Load("testdata/valid.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Targets) != 2 || s.Targets[0].Expect.Blocking.String() != "tls" ||
		s.Targets[1].Expect.Blocking.String() != "false" || s.Targets[0].TestName() != DefaultTest {
		t.Errorf("decoded %+v", s.Targets)
	}
	if s.Rules[0].Ports[0] != 443 {
		t.Errorf("rule %+v", s.Rules[0])
	}
}

// TestShipped loads every shipped scenario: each parses, each country's
// cites sources, each has an uncensored control target, and the set
// covers every technique.
func TestShipped(t *testing.T) {
	names := Shipped()
	for _, want := range []string{"china", "iran", "russia", "indonesia", "uganda", "mixed"} {
		if !strings.Contains(" "+strings.Join(names, " ")+" ", " "+want+" ") {
			t.Errorf("scenario %s is not shipped (have %v)", want, names)
		}
	}
	actions := map[string]bool{}
	for _, n := range names {
		s, err := LoadShipped(n)
		if err != nil {
			t.Fatal(err)
		}
		if s.Name != n {
			t.Errorf("%s.yml is named %q", n, s.Name)
		}
		src, _ := Source(n)
		if !strings.HasPrefix(string(src), "# ") {
			t.Errorf("%s.yml does not start with a comment saying what it follows", n)
		}
		control := false
		for _, tg := range s.Targets {
			control = control || (tg.Expect.Blocking.String() == "false" && strings.Contains(tg.URL, "example.org"))
		}
		if !control {
			t.Errorf("%s has no uncensored control target on example.org", n)
		}
		for _, r := range s.Rules {
			actions[r.Action] = true
		}
	}
	for _, a := range Actions {
		if !actions[a] && a != None {
			t.Errorf("no shipped scenario uses %s", a)
		}
	}
	if _, err := LoadShipped("atlantis"); err == nil || !strings.Contains(err.Error(), "mixed") {
		t.Errorf("unknown scenario: %v", err)
	}
}

func TestResolve(t *testing.T) {
	if s, err := Resolve("mixed"); err != nil || s.Name != "mixed" {
		t.Fatalf("Resolve(mixed) = %v, %v", s, err)
	}
	if s, err := Resolve("testdata/valid.json"); err != nil || s.Name != "json-example" {
		t.Fatalf("Resolve(path) = %v, %v", s, err)
	}
	if _, err := Resolve("testdata/nosuch.yml"); err == nil {
		t.Fatal("Resolve of a missing file succeeded")
	}
}

func TestSitesResolve(t *testing.T) {
	for _, name := range []string{"twitter.com", "www.twitter.com", "WWW.BBC.COM.", "bbc.com"} {
		if _, ok := sites.Lookup(name); !ok {
			t.Errorf("%s is not a lab site", name)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range Shipped() {
		src, _ := Source(n)
		f.Add(src, false)
	}
	valid, _ := os.ReadFile("testdata/valid.json")
	f.Add(valid, true)
	f.Add([]byte("rules: [{action: rst, sni: [a.b]}]"), false)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		s, err := Parse(data, isJSON)
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("Parse accepted a scenario that Validate rejects: %v", err)
		}
	})
}
