package main

import (
	"strings"
	"testing"

	"github.com/sonde-project/sonde/internal/lab/scenario"
	"github.com/sonde-project/sonde/internal/lab/sites"
	"github.com/sonde-project/sonde/probe/catalog"
)

func TestCommandsWithoutALab(t *testing.T) {
	var out strings.Builder
	if err := run([]string{"scenarios"}, &out); err != nil || !strings.Contains(out.String(), "mixed") {
		t.Errorf("scenarios: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run([]string{"scenarios", "iran"}, &out); err != nil || !strings.Contains(out.String(), "10.10.34.34") {
		t.Errorf("scenarios iran: %v", err)
	}
	out.Reset()
	err := run([]string{"validate", "../../internal/lab/scenario/testdata/valid.json", "../../internal/lab/scenario/testdata/invalid-action.yml"}, &out)
	if err == nil || err.Error() != "1 of 2 scenario files are invalid" || !strings.Contains(out.String(), `"dns-injct" is not one of`) {
		t.Errorf("validate: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run([]string{"sites"}, &out); err != nil || !strings.Contains(out.String(), "203.0.113.11  twitter.com, www.twitter.com") {
		t.Errorf("sites: %v\n%s", err, out.String())
	}
	if err := run([]string{"frobnicate"}, &out); err == nil || !strings.Contains(err.Error(), "censorlab help") {
		t.Errorf("unknown command: %v", err)
	}
}

// TestScenarioTestsExist: every test a shipped scenario names is one of
// the probe's (a wrong name would otherwise show only end to end, as
// "http3" once did), and every target is a lab site with a category for
// the demo's test list.
func TestScenarioTestsExist(t *testing.T) {
	for _, name := range scenario.Shipped() {
		s, err := scenario.LoadShipped(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range s.Targets {
			if _, ok := catalog.Tests[tg.TestName()]; !ok {
				t.Errorf("%s: target %s names test %q; the probe's tests are %v", name, tg.URL, tg.TestName(), catalog.Names())
			}
		}
	}
	for _, site := range sites.Catalog {
		if c, ok := categories[site.Domain]; !ok || c.Code == "" || c.Description == "" {
			t.Errorf("lab site %s has no Citizen Lab category", site.Domain)
		}
	}
}
