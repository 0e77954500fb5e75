package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/testlists"
)

const excerpts = "../../testlists/testdata/lists"

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestValidateTheRealExcerpts(t *testing.T) {
	code, out, errs := runCmd(t, "validate", excerpts)
	if code != 0 || out != "" || errs != "testlists: 0 errors, 0 warnings, 426 URLs in valid rows\n" {
		t.Errorf("code %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestValidateReportsProblemsAndFails(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "ir.csv")
	content := strings.Join(testlists.Header, ",") + "\n" +
		"http://cappuccinomag.com/,CULTR,Culture,15/04/2014,citizenlab,\n" +
		"http://webneveshteha.com/,FEXP,Freedom of expression,2014-04-15,citizenlab,\n"
	if err := os.WriteFile(bad, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd(t, "validate", "-q", bad)
	want := bad + `:2: date_added "15/04/2014" is not a date as YYYY-MM-DD (fix: write it like 2024-03-31)` + "\n" +
		bad + ":3: FEXP is a legacy category code (fix: use NEWS,News Media)\n"
	if code != 1 || out != want || !strings.HasPrefix(errs, "testlists: 2 errors") {
		t.Errorf("code %d\nstdout %s\nwant   %s\nstderr %s", code, out, want, errs)
	}
	// The same file as a volunteer's local list: usable, with a warning.
	code, out, _ = runCmd(t, "validate", bad, "--lenient")
	if code != 0 || !strings.Contains(out, "ir.csv:3: warning: FEXP is a legacy category code; counted as NEWS") ||
		!strings.Contains(out, "ir.csv:2: warning: date_added") {
		t.Errorf("lenient: code %d, stdout %s", code, out)
	}
}

func TestLintPrintsWarnings(t *testing.T) {
	code, out, errs := runCmd(t, "lint", excerpts)
	if code != 0 || !strings.Contains(out, "pk.csv:44: warning: http://www.kproxy.com./ makes the same request") ||
		!strings.Contains(errs, "0 errors, 16 warnings") {
		t.Errorf("code %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if code, _, _ := runCmd(t, "lint", "--fail-on-warnings", excerpts); code != 1 {
		t.Errorf("--fail-on-warnings: exit %d", code)
	}
}

func TestStats(t *testing.T) {
	code, out, _ := runCmd(t, "stats", "--json", excerpts)
	var st testlists.Stats
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || st.URLs != 426 || len(st.Lists) != 13 {
		t.Fatalf("code %d, stats %+v", code, st)
	}
	code, out, _ = runCmd(t, "stats", excerpts)
	if code != 0 || !strings.Contains(out, "Islamic Republic of Iran") || !strings.Contains(out, "NEWS      News Media") {
		t.Errorf("table:\n%s", out)
	}
	code, out, _ = runCmd(t, "stats", "--country", "IR", excerpts)
	if code != 0 || !strings.Contains(out, "total") || !strings.Contains(out, "60") {
		t.Errorf("--country:\n%s", out)
	}
	if code, _, errs := runCmd(t, "stats", "--country", "zz", excerpts); code != 1 || !strings.Contains(errs, "no list zz.csv") {
		t.Errorf("unknown country: %d %s", code, errs)
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage:"},
		{[]string{"help"}, 0, "testlists validate"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"validate", "--help"}, 0, "(fix: write it like 2024-03-31)"},
		{[]string{"lint", "--help"}, 0, "run it\n    from an uncensored network"},
		{[]string{"stats", "-h"}, 0, "check-in"},
		{[]string{"validate"}, 2, "give at least one folder or file"},
		{[]string{"lint", "--concurrency", "0", excerpts}, 2, "must be positive"},
	} {
		code, out, errs := runCmd(t, tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("%v: code %d, output %s", tc.args, code, out+errs)
		}
	}
}
