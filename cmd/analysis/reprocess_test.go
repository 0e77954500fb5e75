package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/analysis"
	"github.com/sonde-project/sonde/analysis/reporttest"
	"github.com/sonde-project/sonde/internal/measurement"
)

var wrote = regexp.MustCompile(`(Wrote|Would write) (\d+) verdicts \((\d+) already up to date\); (\d+) change`)

// reprocessCLI runs `analysis reprocess` and returns the exit status,
// stdout and stderr, and the summary's written / changed counts.
func reprocessCLI(t *testing.T, args ...string) (code int, stdout, stderr string, written, changed int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"reprocess"}, args...), nil, &out, &errOut)
	if m := wrote.FindStringSubmatch(out.String()); m != nil {
		written, _ = strconv.Atoi(m[2])
		changed, _ = strconv.Atoi(m[4])
	} else if code == 0 {
		t.Fatalf("no summary:\n%s\n%s", out.String(), errOut.String())
	}
	return code, out.String(), errOut.String(), written, changed
}

// TestReprocessCommand: the scenario's verdicts are made up (not the
// analysis's), though stamped with the current rules. The default run
// leaves them; --all --dry-run says what would change and writes nothing;
// --all (through --config collector.yml) rewrites them with the analysis's
// verdicts and rebuilds the months; a second run changes nothing.
func TestReprocessCommand(t *testing.T) {
	conn, addr, db := reporttest.Database(t, true)
	base := []string{"--clickhouse", addr, "--database", db}

	code, out, errOut, written, _ := reprocessCLI(t, base...)
	if code != 0 || written != 0 || strings.Contains(out, "Rebuilt") {
		t.Fatalf("default run on current verdicts: exit %d, wrote %d\n%s%s", code, written, out, errOut)
	}

	code, out, errOut, dryWritten, dryChanged := reprocessCLI(t, append(base, "--all", "--dry-run", "--country", "IR")...)
	if code != 0 || dryWritten == 0 || dryChanged == 0 || !strings.Contains(out, "→") || !strings.Contains(out, "Would rebuild the daily counts of 2026-11") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	cfgFile := filepath.Join(t.TempDir(), "collector.yml")
	os.WriteFile(cfgFile, []byte(fmt.Sprintf("listen: 127.0.0.1:0\nclickhouse:\n  addr: %s\n  database: %s\n", addr, db)), 0o600)
	code, out, errOut, written, changed := reprocessCLI(t, "--config", cfgFile, "--all", "--batch", "97")
	if code != 0 || written != dryWritten || changed != dryChanged || !strings.Contains(out, "Rebuilt the daily counts of 2026-11") {
		t.Fatalf("--all: exit %d, wrote %d changed %d (dry run said %d, %d)\n%s%s", code, written, changed, dryWritten, dryChanged, out, errOut)
	}
	if !strings.Contains(errOut, "reprocess: at 2026-11-") {
		t.Errorf("no progress on stderr:\n%s", errOut)
	}
	// The newest verdict of every measurement is now the analysis's.
	rows, err := conn.Query(context.Background(), `SELECT m.raw, v.c FROM measurements AS m ALL INNER JOIN
  (SELECT measurement_uid, concat(argMax(status, analyzed_time), ' ', argMax(blocking, analyzed_time), ' ',
     argMax(confidence, analyzed_time)) AS c FROM verdicts GROUP BY measurement_uid) AS v USING measurement_uid`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var raw, got string
		if err := rows.Scan(&raw, &got); err != nil {
			t.Fatal(err)
		}
		m, err := measurement.Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		v := analysis.Analyze(m)
		b, _ := v.Blocking.MarshalJSON()
		if want := fmt.Sprintf("%s %s %s", v.Status, strings.Trim(string(b), `"`), v.Confidence); got != want {
			t.Errorf("%s: newest verdict %q, want the analysis's %q", m.MeasurementUID, got, want)
		}
		n++
	}
	rows.Close()
	if n != written {
		t.Errorf("%d measurements with verdicts, %d written", n, written)
	}

	code, out, _, written, changed = reprocessCLI(t, append(base, "--all")...)
	if code != 0 || written != 0 || changed != 0 || strings.Contains(out, "Rebuilt") {
		t.Errorf("second --all: exit %d\n%s", code, out)
	}
}

func TestReprocessCommandErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--since", "yesterday"}, 2, `--since "yesterday" is not a day`},
		{[]string{"--country", "iran", "--clickhouse", "127.0.0.1:1"}, 2, `the country "iran" is not a two-letter code`},
		{[]string{"--since", "2026-11-02", "--until", "2026-11-01", "--clickhouse", "127.0.0.1:1"}, 2, "is empty"},
		{[]string{"--batch", "0"}, 2, "--batch 0"},
		{[]string{"--database", "a-b"}, 2, "database name must be letters"},
		{[]string{"--config", "/nonexistent/collector.yml"}, 2, "no such file"},
		{[]string{"--clickhouse", "127.0.0.1:1"}, 1, "cannot reach ClickHouse"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"reprocess"}, c.args...), nil, &out, &errOut)
		if code != c.code || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut.String(), c.code, c.want)
		}
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"reprocess", "--help"}, nil, &out, &out); code != 0 || !strings.Contains(out.String(), "safe to stop with Ctrl-C") {
		t.Errorf("--help: %d %s", code, out.String())
	}
}
