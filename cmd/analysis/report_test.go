package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/analysis/reporttest"
	"github.com/sonde-project/sonde/internal/chserver/chtest"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

var generated = regexp.MustCompile(`"generated": "[^"]*"`)

// TestReportCommand runs `analysis report` against ClickHouse filled with
// the scenario and compares its JSON with the golden report.
func TestReportCommand(t *testing.T) {
	_, addr, db := reporttest.Database(t, true)
	ctx := context.Background()
	dir := t.TempDir()
	list := filepath.Join(dir, "list.csv")
	csv := "url,category_code\n"
	for d, c := range reporttest.Categories {
		csv += "https://" + d + "/," + c + "\n"
	}
	if err := os.WriteFile(list, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ kind, flag, value string }{{"country", "--country", "IR"}, {"domain", "--domain", "twitter.com"}} {
		t.Run(c.kind, func(t *testing.T) {
			out := filepath.Join(dir, c.kind+".html")
			var stdout, stderr bytes.Buffer
			code := run(ctx, []string{"report", c.flag, c.value, "--since", "2026-11-01", "--until", "2026-11-22",
				"--clickhouse", addr, "--database", db, "--categories", list,
				"--measurement-url", "https://collector.example/api/v1/measurements/", "-o", out}, nil, &stdout, &stderr)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			if lines[len(lines)-1] != out || !strings.Contains(lines[0], "blocked") {
				t.Errorf("stdout %q: want the headline, then the HTML path", stdout.String())
			}
			got, err := os.ReadFile(filepath.Join(dir, c.kind+".json"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile("../../analysis/report/testdata/scenario-" + c.kind + ".json")
			if err != nil {
				t.Fatal(err)
			}
			if generated.ReplaceAllString(string(got), "") != generated.ReplaceAllString(string(want), "") {
				t.Errorf("%s.json differs from the golden report", c.kind)
			}
			wantCSV, _ := os.ReadFile("../../analysis/report/testdata/scenario-" + c.kind + ".csv")
			if gotCSV, err := os.ReadFile(filepath.Join(dir, c.kind+".csv")); err != nil || !bytes.Equal(gotCSV, wantCSV) {
				t.Errorf("%s.csv differs from the golden CSV (%v)", c.kind, err)
			}
			html, err := os.ReadFile(out)
			if err != nil || !bytes.Contains(html, []byte(`<a href="`+c.kind+`.json">JSON</a>`)) {
				t.Errorf("HTML does not link its JSON (%v)", err)
			}
		})
	}
	// A ClickHouse that needs a password: the login comes from the
	// collector's configuration, or the password from the environment;
	// a wrong one is said as such, and nothing is written.
	cfg := filepath.Join(dir, "collector.yml")
	yml := fmt.Sprintf("listen: 127.0.0.1:0\nclickhouse: {addr: %q, database: %q, username: %q, password: %q}\n", addr, db, chtest.User, chtest.Password)
	if err := os.WriteFile(cfg, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	login := func(extra ...string) (int, string, string) {
		out := filepath.Join(t.TempDir(), "r.html")
		var stdout, stderr bytes.Buffer
		args := append([]string{"report", "--country", "IR", "--since", "2026-11-01", "--until", "2026-11-22", "-o", out}, extra...)
		code := run(ctx, args, nil, &stdout, &stderr)
		return code, stderr.String(), out
	}
	if code, errOut, out := login("--config", cfg); code != 0 {
		t.Errorf("--config with a password: exit %d: %s", code, errOut)
	} else if _, err := os.Stat(out); err != nil {
		t.Errorf("--config with a password: %v", err)
	}
	t.Setenv("SONDE_CLICKHOUSE_PASSWORD", chtest.Password)
	if code, errOut, _ := login("--clickhouse", addr, "--database", db, "--username", chtest.User); code != 0 {
		t.Errorf("the password from the environment: exit %d: %s", code, errOut)
	}
	t.Setenv("SONDE_CLICKHOUSE_PASSWORD", "guess")
	code, errOut, out := login("--config", cfg)
	if _, err := os.Stat(out); code != 1 || !strings.Contains(errOut, "cannot reach ClickHouse at "+addr+" as "+chtest.User) || err == nil {
		t.Errorf("a wrong password: exit %d, %q, report written: %v", code, errOut, err == nil)
	}
	t.Logf("a wrong password: %s", errOut)

	var stderr bytes.Buffer
	if code := run(ctx, []string{"report", "--country", "IR", "--since", "2026-13-01"}, nil, &bytes.Buffer{}, &stderr); code != 1 ||
		stderr.String() != "analysis report: --since \"2026-13-01\" is not a day (YYYY-MM-DD)\n" {
		t.Errorf("bad day: exit %d, %q", code, stderr.String())
	}
}
