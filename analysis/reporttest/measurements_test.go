package reporttest_test

import (
	"testing"

	"github.com/sonde-project/sonde/analysis"
	"github.com/sonde-project/sonde/analysis/reporttest"
)

// TestOutcomesAnalyseAsIntended runs the project's analysis on the
// generated measurements: for the kinds that real OONI measurements in
// testdata show (reachable, DNS blockpage address, HTTP blockpage, broken
// test) the analysis agrees with the scenario's verdict. (testdata has no
// real TLS or TCP/IP anomaly to build from; those outcomes carry the
// scenario's verdict only.)
func TestOutcomesAnalyseAsIntended(t *testing.T) {
	a, err := analysis.New(analysis.Config{})
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]int{}
	for _, o := range reporttest.Outcomes() {
		kind := string(o.Confidence) + "/" + o.Method
		switch kind {
		case "ok/", "confirmed/dns", "confirmed/http-diff", "failure/":
		default:
			continue
		}
		if checked[kind] >= 20 {
			continue
		}
		checked[kind]++
		m, _, err := reporttest.Measurement(o)
		if err != nil {
			t.Fatal(err)
		}
		v := a.Analyze(m)
		want := reporttest.Verdict(o)
		if v.Confidence != want.Confidence || v.Blocking.Method != want.Blocking.Method {
			t.Errorf("%s (%s): analysis says %s/%s: %s", o.UID, kind, v.Confidence, v.Blocking.Method, v.Explanation)
		}
		if v.Domain != "" && v.Domain != o.Domain {
			t.Errorf("%s: analysed as about %s, want %s", o.UID, v.Domain, o.Domain)
		}
	}
	if len(checked) != 4 {
		t.Errorf("checked kinds %v", checked)
	}
}
