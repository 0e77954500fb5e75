package main

import (
	"strings"
	"testing"
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
