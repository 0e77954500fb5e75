package loadgen_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector/collectortest"
	"github.com/sonde-project/sonde/collector/loadgen"
	"github.com/sonde-project/sonde/internal/canonjson"
	"github.com/sonde-project/sonde/internal/measurement"
)

// Each measurement is its template with its own input, times and report,
// and the template's keys in the template's order: the door sees what a
// probe would send, not a document sorted already.
func TestCorpusKeepsTheTemplatesOrder(t *testing.T) {
	c := collectortest.Load(t)
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	for i, name := range loadgen.CorpusFiles {
		b := c.MeasurementIn(i, at, "report-"+name)
		m, err := measurement.Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := "https://www.site" + strconv.Itoa(i) + ".example/page"; string(m.Input) != want {
			t.Errorf("%s: input %s", name, m.Input)
		}
		if m.MeasurementStartTime != "2026-11-23 08:00:00" || m.TestStartTime != "2026-11-23 07:59:59" || m.ReportID != "report-"+name || m.MeasurementUID != "" {
			t.Errorf("%s: start %q, test start %q, report %q, uid %q", name, m.MeasurementStartTime, m.TestStartTime, m.ReportID, m.MeasurementUID)
		}
		raw, err := os.ReadFile(filepath.Join(collectortest.CorpusDir(), name))
		if err != nil {
			t.Fatal(err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, raw); err != nil {
			t.Fatal(err)
		}
		want := keys(t, compact.Bytes())
		want = slices.DeleteFunc(want, func(k string) bool { return k == "measurement_uid" })
		got := keys(t, b)
		if !slices.Equal(got[:len(want)], want) {
			t.Errorf("%s: keys %v, want %v first", name, got, want)
		}
	}
}

// A measurement of a report of its own has the report id the bench's
// probes had, and AppendMeasurement appends within MaxLen.
func TestCorpusAppends(t *testing.T) {
	c := collectortest.Load(t)
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	dst := []byte("[")
	for _, i := range []int{0, 99, 100, 123456, 99_999_999_999 * 100} {
		before := len(dst)
		dst = c.AppendMeasurement(dst, i, at, "")
		if n := len(dst) - before; n > c.MaxLen(i) {
			t.Errorf("measurement %d: %d bytes, more than MaxLen %d", i, n, c.MaxLen(i))
		}
		m, err := measurement.Parse(dst[before:])
		if err != nil {
			t.Fatalf("measurement %d: %v", i, err)
		}
		if want := fmt.Sprintf("20261123T080000Z_webconnectivity_IT_30722_n1_bench%011d", i/100); m.ReportID != want {
			t.Errorf("measurement %d: report %q, want %q", i, m.ReportID, want)
		}
		if !bytes.Equal(c.Measurement(i, at), dst[before:]) {
			t.Errorf("measurement %d: Measurement and AppendMeasurement differ", i)
		}
	}
	if dst[0] != '[' {
		t.Error("AppendMeasurement overwrote what dst held")
	}
}

func keys(t *testing.T, doc []byte) []string {
	var ks []string
	if err := canonjson.Members(doc, func(k, _ []byte) error { ks = append(ks, string(k)); return nil }); err != nil {
		t.Fatal(err)
	}
	return ks
}
