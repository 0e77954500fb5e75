package analysis

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// The real OONI measurements of the repository's testdata, with OONI's
// published verdicts (testdata/ooni/INDEX.csv).

const ooniDir = "../testdata/ooni"

type indexRow struct {
	path  string // relative to ooniDir
	label string
	// ooni is OONI's published verdict as a confidence, "" when OONI
	// published none for this measurement.
	ooni verdict.Confidence
}

func readIndex(t testing.TB) []indexRow {
	t.Helper()
	f, err := os.Open(filepath.Join(ooniDir, "INDEX.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	var rows []indexRow
	for _, r := range recs[1:] {
		row := indexRow{
			path:  strings.TrimPrefix(r[col["file"]], "ooni-measurements/"),
			label: r[col["label"]],
			ooni:  ooniConfidence(r[col["ooni_anomaly"]], r[col["ooni_confirmed"]], r[col["ooni_failure"]]),
		}
		rows = append(rows, row)
	}
	if len(rows) < 100 {
		t.Fatalf("INDEX.csv lists %d measurements, want at least 100", len(rows))
	}
	return rows
}

// ooniConfidence maps OONI's (anomaly, confirmed, failure) flags to a
// confidence with the precedence OONI Explorer shows them in: failed, then
// confirmed, then anomaly, else accessible (components/search/ResultsList.js).
func ooniConfidence(anomaly, confirmed, failed string) verdict.Confidence {
	switch {
	case anomaly == "" && confirmed == "" && failed == "":
		return ""
	case failed == "T":
		return verdict.Failure
	case confirmed == "T":
		return verdict.Confirmed
	case anomaly == "T":
		return verdict.Anomaly
	}
	return verdict.OK
}

// readMeasurement reads the one measurement of a testdata file.
func readMeasurement(t testing.TB, path string) (*measurement.Measurement, error) {
	t.Helper()
	f, err := os.Open(filepath.Join(ooniDir, path))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, _, err := NewReader(f, path).Next()
	return m, err
}

// TestAgreementWithOONI compares sonde's confidence with OONI's published
// verdict on every measurement that has one. It fails below 95%, and when
// a disagreement is not explained in testdata/DISAGREEMENTS.md (or an
// explained one no longer happens).
func TestAgreementWithOONI(t *testing.T) {
	notes, err := os.ReadFile("testdata/DISAGREEMENTS.md")
	if err != nil {
		t.Fatal(err)
	}
	explained := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^## `([^`]+)`").FindAllStringSubmatch(string(notes), -1) {
		explained[m[1]] = true
	}
	a := Default()
	total, agree := 0, 0
	seen := map[string]bool{}
	for _, row := range readIndex(t) {
		if row.ooni == "" {
			continue
		}
		total++
		m, err := readMeasurement(t, row.path)
		if err != nil {
			t.Errorf("%s: %v", row.path, err)
			continue
		}
		v := a.Analyze(m)
		name := filepath.Base(row.path)
		if v.Confidence == row.ooni {
			agree++
			if explained[name] {
				t.Errorf("%s: sonde now agrees with OONI (%s); remove it from DISAGREEMENTS.md", name, v.Confidence)
			}
			continue
		}
		seen[name] = true
		t.Logf("disagreement: %s: OONI %s, sonde %s (%s %s): %s", name, row.ooni, v.Confidence, v.Status, mustJSON(v.Blocking), v.Explanation)
		if !explained[name] {
			t.Errorf("%s: OONI says %s, sonde says %s, and DISAGREEMENTS.md does not explain it", name, row.ooni, v.Confidence)
		}
	}
	for name := range explained {
		if !seen[name] {
			t.Errorf("DISAGREEMENTS.md explains %s, which is no longer a disagreement", name)
		}
	}
	rate := float64(agree) / float64(total)
	t.Logf("agreement with OONI's published verdicts: %d of %d (%.1f%%), %d disagreements explained", agree, total, 100*rate, total-agree)
	if total < 60 {
		t.Fatalf("only %d measurements with a published OONI verdict, want at least 60", total)
	}
	if rate < 0.95 {
		t.Fatalf("agreement %.1f%% is below 95%%", 100*rate)
	}
}
