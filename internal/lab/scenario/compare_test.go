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

// TestCompareAccessible: a target that says accessible is checked on it
// too; one that does not is not.
func TestCompareAccessible(t *testing.T) {
	s, err := Parse([]byte(`
name: quic-only
description: HTTP/3 dropped, HTTPS works
country: ZZ
rules: [{action: quic-block}]
targets:
  - url: https://signal.org/
    expect: {blocking: quic, confidence: anomaly, accessible: true}
  - url: https://example.org/
    expect: {blocking: false, confidence: ok}
`), false)
	if err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	v := func(url string, b measurement.Blocking, c verdict.Confidence, a *bool) verdict.Verdict {
		return verdict.Verdict{TestName: DefaultTest, Input: url, Blocking: b, Confidence: c, Accessible: a}
	}
	quic := measurement.BlockedBy(measurement.BlockingQUIC)
	if m := s.Compare([]verdict.Verdict{
		v("https://signal.org/", quic, verdict.Anomaly, &yes),
		v("https://example.org/", measurement.NotBlocked, verdict.OK, &no),
	}); len(m) != 0 {
		t.Fatalf("mismatches: %v", m)
	}
	m := s.Compare([]verdict.Verdict{
		v("https://signal.org/", quic, verdict.Anomaly, &no),
		v("https://example.org/", measurement.NotBlocked, verdict.OK, nil),
	})
	want := "web_connectivity https://signal.org/: got blocking quic, confidence anomaly, accessible false; want blocking quic, confidence anomaly, accessible true"
	if len(m) != 1 || m[0].String() != want {
		t.Fatalf("mismatches %v\nwant %s", m, want)
	}
}
