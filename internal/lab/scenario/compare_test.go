package scenario

import (
	"strings"
	"testing"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

func TestCompare(t *testing.T) {
	s, err := LoadShipped("china")
	if err != nil {
		t.Fatal(err)
	}
	var vs []verdict.Verdict
	for _, tg := range s.Targets {
		vs = append(vs, verdict.Verdict{TestName: tg.TestName(), Input: strings.TrimSuffix(tg.URL, "/"),
			Blocking: tg.Expect.Blocking.Blocking, Confidence: verdict.Confidence(tg.Expect.Confidence)})
	}
	if m := s.Compare(vs); len(m) != 0 {
		t.Fatalf("exact verdicts mismatch: %v", m)
	}
	vs[0].Blocking = measurement.BlockedBy(measurement.BlockingTLS)
	vs[1].Confidence = verdict.Confirmed
	vs = vs[:len(vs)-1]
	m := s.Compare(vs)
	if len(m) != 3 {
		t.Fatalf("want 3 mismatches, got %v", m)
	}
	want := []string{
		"web_connectivity https://twitter.com/: got blocking tls, confidence anomaly; want blocking dns, confidence anomaly",
		"web_connectivity https://www.youtube.com/: got blocking dns, confidence confirmed; want blocking dns, confidence anomaly",
		"web_connectivity https://signal.org/: no verdict; want blocking false, confidence ok",
	}
	for i, w := range want {
		if m[i].String() != w {
			t.Errorf("mismatch %d: %s\nwant %s", i, m[i], w)
		}
	}
}
