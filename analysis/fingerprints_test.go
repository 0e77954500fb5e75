package analysis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sonde-project/sonde/internal/measurement"
)

func TestEmbeddedFingerprints(t *testing.T) {
	dns, http := Default().Fingerprints().Counts()
	if dns != 226 || http != 1729 {
		t.Fatalf("loaded %d DNS and %d HTTP fingerprints, want 226 and 1729", dns, http)
	}
	fp := Default().Fingerprints()
	if got := fp.MatchDNS("10.10.34.36"); len(got) != 1 || got[0].Name != "ooni.ir_10dot10_ipv4_1" || !got[0].Confirms("IR") {
		t.Fatalf("10.10.34.36: %+v", got)
	}
	if got := fp.MatchHeader("Location", "http://lamanlabuh.aduankonten.id/"); len(got) == 0 || got[0].Name != "ooni.id_lamanlabuh_kominfo" {
		t.Fatalf("Indonesian redirect: %+v", got)
	}
	if !fp.BogusNXDOMAIN("61.183.1.186") || fp.BogusNXDOMAIN("8.8.8.8") {
		t.Fatal("bogus-nxdomain list")
	}
}

func TestConfirms(t *testing.T) {
	for _, c := range []struct {
		f    Fingerprint
		cc   string
		want bool
	}{
		{Fingerprint{Scope: "prod", ExpectedCountries: []string{"RU"}}, "RU", true},
		{Fingerprint{Scope: "prod", ExpectedCountries: []string{"RU"}}, "IT", false},
		{Fingerprint{Scope: "nat"}, "IT", true},
		{Fingerprint{Scope: "isp"}, "ZZ", true},
		{Fingerprint{Scope: "vbw"}, "ZZ", false},
		{Fingerprint{Scope: "fp", ExpectedCountries: []string{"ZZ"}}, "ZZ", false},
	} {
		if got := c.f.Confirms(c.cc); got != c.want {
			t.Errorf("%+v in %s: got %v", c.f, c.cc, got)
		}
	}
}

// TestBodyMatcherFindsWhatANaiveScanFinds: the one-pass index gives the
// same matches as checking every pattern with strings.Contains, on every
// body of the real measurements and on bodies made of the patterns.
func TestBodyMatcherFindsWhatANaiveScanFinds(t *testing.T) {
	fp := Default().Fingerprints()
	var all []*Fingerprint
	for f := range fp.body.order {
		all = append(all, f)
	}
	naive := func(body string) map[string]bool {
		out := map[string]bool{}
		for _, f := range all {
			if f.match(body) {
				out[f.Name] = true
			}
		}
		return out
	}
	var bodies []string
	for _, row := range readIndex(t) {
		m, err := readMeasurement(t, row.path)
		if err != nil {
			continue
		}
		steps, _ := measurement.DecodeSteps(m.TestKeys)
		for _, r := range steps.Requests {
			bodies = append(bodies, string(r.Response.Body))
		}
	}
	for i, f := range all {
		if i%7 == 0 {
			bodies = append(bodies, "xx"+f.Pattern+"yy", f.Pattern)
		}
	}
	if len(bodies) < 200 {
		t.Fatalf("only %d bodies", len(bodies))
	}
	for _, b := range bodies {
		want := naive(b)
		got := map[string]bool{}
		for _, f := range fp.MatchBody(b) {
			got[f.Name] = true
		}
		for n := range want {
			if !got[n] {
				t.Errorf("missed %s in a body of %d bytes", n, len(b))
			}
		}
		for n := range got {
			if !want[n] {
				t.Errorf("matched %s wrongly in a body of %d bytes", n, len(b))
			}
		}
	}
}

func TestFingerprintsDirOverride(t *testing.T) {
	dir := t.TempDir()
	header := strings.Join(fingerprintColumns, ",") + "\n"
	write := func(name, rows string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(header+rows), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(dnsFingerprintsFile, "lab.dns_1,nat,,dns,full,192.0.2.66,5,XY,lab,,the lab censor's answer\n")
	write(httpFingerprintsFile, "lab.http_1,nat,,body,contains,Blocked by the lab,5,XY,lab,,\n")
	a, err := New(Config{FingerprintsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if dns, http := a.Fingerprints().Counts(); dns != 1 || http != 1 {
		t.Fatalf("counts %d %d", dns, http)
	}
	if got := a.Fingerprints().MatchDNS("192.0.2.66"); len(got) != 1 {
		t.Fatal("override not used")
	}
	if !a.Fingerprints().BogusNXDOMAIN("61.183.1.186") {
		t.Fatal("without a bogus-nxdomain file in the directory, the embedded list is used")
	}
	if _, err := New(Config{FingerprintsDir: filepath.Join(dir, "missing")}); err == nil {
		t.Fatal("a missing directory was accepted")
	}
}

func TestFingerprintFileErrors(t *testing.T) {
	header := strings.Join(fingerprintColumns, ",") + "\n"
	for name, c := range map[string]struct{ csv, err string }{
		"bad column":       {"name,scope\n", "wrong number of fields"},
		"renamed column":   {strings.Replace(header, "pattern_type", "kind", 1), `column 5 is "kind", want "pattern_type"`},
		"bad pattern type": {header + "x,nat,,body,fuzzy,abc,5,,,,\n", `fingerprints_dns.csv:2: fingerprint "x": pattern_type "fuzzy"`},
		"bad location":     {header + "x,nat,,cookie,full,abc,5,,,,\n", `location_found "cookie"`},
		"bad regexp":       {header + "x,nat,,body,regexp,(,5,,,,\n", "missing closing )"},
		"empty pattern":    {header + "x,nat,,body,contains,,5,,,,\n", "empty pattern"},
	} {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{
				dnsFingerprintsFile:  {Data: []byte(c.csv)},
				httpFingerprintsFile: {Data: []byte(header)},
			}
			_, err := LoadFingerprints(fsys)
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("got %v, want an error containing %q", err, c.err)
			}
		})
	}
	fsys := fstest.MapFS{
		dnsFingerprintsFile:  {Data: []byte(header)},
		httpFingerprintsFile: {Data: []byte(header)},
		bogusNXDOMAINFile:    {Data: []byte("server=/cn/114.114.114.114\n")},
	}
	if _, err := LoadFingerprints(fsys); err == nil || !strings.Contains(err.Error(), "line 1: want bogus-nxdomain=ADDRESS") {
		t.Fatalf("bad bogus-nxdomain file: %v", err)
	}
}
