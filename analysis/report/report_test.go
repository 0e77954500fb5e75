package report

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sonde-project/sonde/analysis/reporttest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func scenarioRequest(kind string) Request {
	req := Request{
		Kind: kind, CC: "IR", Since: reporttest.Since, Until: reporttest.Until, Categories: reporttest.Categories,
		MeasurementURL: "https://collector.example/api/v1/measurements/",
		Now:            func() time.Time { return reporttest.Now },
	}
	if kind == KindDomain {
		req.CC, req.Domain = "", "twitter.com"
	}
	return req
}

func scenarioReport(t testing.TB, kind string) *Report {
	t.Helper()
	req := scenarioRequest(kind)
	if err := req.Validate(); err != nil {
		t.Fatal(err)
	}
	counts, evidence := reporttest.Rows(reporttest.Outcomes())
	if kind == KindDomain {
		counts, evidence = reporttest.OnlyDomain(counts, evidence, req.Domain)
	}
	return Compose(req, counts, evidence)
}

// golden compares got with testdata/NAME, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test -update and review the diff", path)
	}
}

func TestGoldenReports(t *testing.T) {
	for _, kind := range []string{KindCountry, KindDomain} {
		t.Run(kind, func(t *testing.T) {
			r := scenarioReport(t, kind)
			var js, cs bytes.Buffer
			if err := WriteJSON(&js, r); err != nil {
				t.Fatal(err)
			}
			if err := WriteCSV(&cs, r, reporttest.Categories); err != nil {
				t.Fatal(err)
			}
			golden(t, "scenario-"+kind+".json", js.Bytes())
			golden(t, "scenario-"+kind+".csv", cs.Bytes())
		})
	}
}

// TestScenarioClaims checks what the golden files say against the
// scenario's rules, so that -update cannot bless a wrong report.
func TestScenarioClaims(t *testing.T) {
	r := scenarioReport(t, KindCountry)
	h := r.Headline
	if h.BlockedSites != 4 || h.MeasuredSites != 5 || h.BlockingNetworks != 4 || h.MeasuredNetworks != 4 {
		t.Errorf("headline counts %+v", h)
	}
	if !h.FirstBlocked.Equal(reporttest.Since) {
		t.Errorf("first blocked %s, want %s (www.bbc.com from the first day)", h.FirstBlocked, reporttest.Since)
	}
	want := map[string]struct {
		networks   int
		confidence string
		method     string
		first      int
		ongoing    bool
	}{
		"twitter.com":  {3, StatusConfirmed, "dns", 2, true},
		"www.bbc.com":  {2, StatusLikely, "", 0, true},
		"signal.org":   {1, StatusLikely, "tls", 10, true},
		"facebook.com": {1, StatusConfirmed, "http-diff", 0, false},
	}
	seen := 0
	for _, g := range r.Groups {
		for _, f := range g.Findings {
			w, ok := want[f.Domain]
			if !ok {
				t.Errorf("finding for %s, which was never blocked: %s", f.Domain, f.Sentence)
				continue
			}
			seen++
			if len(f.Networks) != w.networks || f.NetworksMeasured != 4 || f.Confidence != w.confidence || f.Ongoing != w.ongoing {
				t.Errorf("%s: %d/%d networks, %s, ongoing %v; want %d/4, %s, ongoing %v", f.Domain,
					len(f.Networks), f.NetworksMeasured, f.Confidence, f.Ongoing, w.networks, w.confidence, w.ongoing)
			}
			if w.method != "" && (len(f.Methods) != 1 || f.Methods[0] != w.method) {
				t.Errorf("%s: methods %v, want [%s]", f.Domain, f.Methods, w.method)
			}
			if !f.FirstBlocked.Equal(reporttest.Since.AddDate(0, 0, w.first)) {
				t.Errorf("%s: first blocked %s, want day %d", f.Domain, f.FirstBlocked, w.first)
			}
			if len(f.Evidence) == 0 || len(f.Evidence) > 3*w.networks {
				t.Errorf("%s: %d evidence ids", f.Domain, len(f.Evidence))
			}
		}
	}
	if seen != len(want) {
		t.Errorf("%d findings, want %d", seen, len(want))
	}
	// facebook.com stopped being blocked on day 14 in AS12880.
	var fb *Event
	for i, e := range r.Events {
		if e.Domain == "facebook.com" {
			fb = &r.Events[i]
		}
	}
	if fb == nil || fb.Ongoing || !fb.End.Equal(reporttest.Since.AddDate(0, 0, 14)) {
		t.Errorf("facebook.com event %+v: want an end on day 14", fb)
	}
	if len(r.Timeline) != 21 || r.Totals.Total() != 21*4*5*6 {
		t.Errorf("timeline of %d days, %d measurements", len(r.Timeline), r.Totals.Total())
	}
}

func TestSentences(t *testing.T) {
	r := scenarioReport(t, KindCountry)
	wantHeadline := "In Iran, 4 of the 5 websites measured were blocked in 4 of 4 networks between 1 and 21 November 2026. Blocking was first seen on 1 November 2026."
	if r.Headline.Sentence != wantHeadline {
		t.Errorf("headline:\n got %q\nwant %q", r.Headline.Sentence, wantHeadline)
	}
	wantTwitter := "twitter.com was blocked in 3 of 4 networks measured in Iran between 3 and 21 November 2026, by DNS tampering (the network gave a wrong address for the site) (confirmed: the DNS answer was 10.10.34.36, Iran's known blockpage address). It was still blocked on the last day measured."
	found := false
	for _, g := range r.Groups {
		for _, f := range g.Findings {
			if f.Domain == "twitter.com" {
				found = true
				if f.Sentence != wantTwitter {
					t.Errorf("twitter.com:\n got %q\nwant %q", f.Sentence, wantTwitter)
				}
			}
		}
	}
	if !found {
		t.Error("no twitter.com finding")
	}
	d := scenarioReport(t, KindDomain)
	wantDomain := "twitter.com was blocked in 1 country (Iran), in 3 of the 4 networks measured, between 1 and 21 November 2026. Blocking was first seen on 3 November 2026."
	if d.Headline.Sentence != wantDomain {
		t.Errorf("domain headline:\n got %q\nwant %q", d.Headline.Sentence, wantDomain)
	}
}

func TestNothingMeasured(t *testing.T) {
	req := scenarioRequest(KindCountry)
	req.CC = "NO"
	if err := req.Validate(); err != nil {
		t.Fatal(err)
	}
	r := Compose(req, nil, nil)
	if r.Headline.Sentence != "No measurements of Norway were collected between 1 and 21 November 2026." {
		t.Errorf("headline %q", r.Headline.Sentence)
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r, Page{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte("No site was found blocked in this period.")) {
		t.Error("empty report does not say nothing was found")
	}
}

func TestValidate(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	cases := []struct {
		name string
		req  Request
		err  string
	}{
		{"no kind", Request{CC: "IR"}, `bad report request: kind "" is neither "country" nor "domain"`},
		{"no country", Request{Kind: KindCountry}, "bad report request: a country report needs a country code (e.g. IR)"},
		{"bad country", Request{Kind: KindCountry, CC: "XX", Since: day("2026-11-01"), Until: day("2026-11-02")}, `bad report request: "XX" is not a two-letter country code (ISO 3166, e.g. IR)`},
		{"injection in country", Request{Kind: KindCountry, CC: "IR' OR 1=1 --"}, `bad report request: "IR' OR 1=1 --" is not a two-letter country code (ISO 3166, e.g. IR)`},
		{"bad domain", Request{Kind: KindDomain, Domain: "a b.com"}, `bad report request: "a b.com" is not a domain name (e.g. twitter.com)`},
		{"injection in domain", Request{Kind: KindDomain, Domain: "x.com');DROP TABLE verdicts;--"}, `bad report request: "x.com');drop table verdicts;--" is not a domain name (e.g. twitter.com)`},
		{"no period", Request{Kind: KindDomain, Domain: "x.com"}, "bad report request: the period needs a first and a last day"},
		{"backwards", Request{Kind: KindDomain, Domain: "x.com", Since: day("2026-11-02"), Until: day("2026-11-01")}, "bad report request: the period ends (2026-11-01) before it begins (2026-11-02)"},
		{"too long", Request{Kind: KindDomain, Domain: "x.com", Since: day("2024-11-02"), Until: day("2026-11-01")}, "bad report request: a report covers at most 366 days"},
		{"ok", Request{Kind: KindDomain, Domain: " Twitter.COM. ", CC: "ir", Since: day("2026-11-01"), Until: day("2026-11-02")}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.req.Validate()
			if got := fmt.Sprint(err); (err == nil) != (c.err == "") || err != nil && got != c.err {
				t.Fatalf("error %q, want %q", got, c.err)
			}
			if err == nil && (c.req.Domain != "twitter.com" || c.req.CC != "IR") {
				t.Errorf("not normalised: %+v", c.req)
			}
		})
	}
}

func TestCSVKeepsFormulasOut(t *testing.T) {
	r := &Report{Table: Table{Columns: []string{"=cmd|' /C calc'!A0"}, Rows: []TableRow{{CC: "IR", ASN: "AS1", Cells: []Cell{{Status: StatusNotBlocked}}}}}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, r, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`'=cmd`)) {
		t.Errorf("formula not neutralised:\n%s", buf.String())
	}
}

// TestUnknownCountry: ZZ, what probes write when they do not know their
// country, can be reported on and reads as a place in sentences.
func TestUnknownCountry(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	req := Request{Kind: KindCountry, CC: "zz", Since: day("2026-11-01"), Until: day("2026-11-02")}
	if err := req.Validate(); err != nil || req.CC != "ZZ" {
		t.Fatalf("Validate: %v (%q)", err, req.CC)
	}
	if got := CountryName("ZZ"); got != "an unknown country" {
		t.Errorf("CountryName(ZZ) = %q", got)
	}
}
