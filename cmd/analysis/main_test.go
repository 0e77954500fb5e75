package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestVerdictOfFiles(t *testing.T) {
	files := []string{
		"../../testdata/ooni/backend-fastpath/bug_352.json",
		"../../testdata/ooni/explorer/measurement_meta/measurement_meta__measurement_uid-01202003039e13e3e38be1918d3a64c2ec27ea22_full-true.json",
	}
	code, out, errOut := runCLI(t, "", append([]string{"verdict"}, files...)...)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), out)
	}
	var v []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"report_id", "input", "test_name", "blocking", "accessible", "confidence"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("no %s in %s", k, l)
			}
		}
		v = append(v, m)
	}
	if v[0]["blocking"] != "dns" || v[0]["confidence"] != "confirmed" {
		t.Fatalf("Iranian DNS block: %v", v[0])
	}
	if v[1]["measurement_uid"] != "01202003039e13e3e38be1918d3a64c2ec27ea22" || v[1]["blocking"] != "http-diff" {
		t.Fatalf("Russian blockpage: %v", v[1])
	}
}

func TestVerdictBadLinesGoOnAndFail(t *testing.T) {
	good := `{"report_id":"r","test_name":"dns","input":"a.example","measurement_start_time":"2026-01-02 03:04:05","test_keys":{"queries":[]}}`
	code, out, errOut := runCLI(t, good+"\nnot json\n"+good+"\n", "verdict")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	if n := strings.Count(out, "\n"); n != 2 {
		t.Fatalf("%d verdicts: %s", n, out)
	}
	if !strings.Contains(errOut, "<stdin>:2: ") || !strings.Contains(errOut, "1 records could not be read") {
		t.Fatalf("stderr: %s", errOut)
	}
}

func TestVerdictErrors(t *testing.T) {
	if code, _, errOut := runCLI(t, "", "verdict", "--fingerprints", t.TempDir()); code != 1 || !strings.Contains(errOut, "cannot load the fingerprints") {
		t.Fatalf("bad fingerprints dir: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", "verdict", filepath.Join(t.TempDir(), "missing.jsonl")); code != 1 || !strings.Contains(errOut, "no such file") {
		t.Fatalf("missing file: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %d %s", code, errOut)
	}
	if code, out, _ := runCLI(t, "", "verdict", "--help"); code != 0 || !strings.Contains(out, "Usage: analysis verdict") {
		t.Fatalf("help: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "", "help"); code != 0 || !strings.Contains(out, "verdict") {
		t.Fatalf("help: %d %s", code, out)
	}
}

func TestVerdictFingerprintsOverride(t *testing.T) {
	dir := t.TempDir()
	header := "name,scope,other_names,location_found,pattern_type,pattern,confidence_no_fp,expected_countries,source,exp_url,notes\n"
	os.WriteFile(filepath.Join(dir, "fingerprints_dns.csv"), []byte(header+"lab.1,nat,,dns,full,192.0.2.66,5,XY,,,\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "fingerprints_http.csv"), []byte(header), 0o644)
	in := `{"test_name":"dns","input":"a.example","probe_cc":"XY","measurement_start_time":"2026-01-02 03:04:05","test_keys":{"queries":[{"hostname":"a.example","answers":[{"ipv4":"192.0.2.66"}]}]}}`
	code, out, errOut := runCLI(t, in, "verdict", "--fingerprints", dir)
	if code != 0 || !strings.Contains(out, `"fingerprint":"lab.1"`) {
		t.Fatalf("exit %d %s %s", code, out, errOut)
	}
}
