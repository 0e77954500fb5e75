package collectorclient

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/probe/targets"
)

func TestValidateCheckIn(t *testing.T) {
	if err := ValidateCheckIn(&probeapi.CheckInResponse{}); err != nil {
		t.Errorf("an empty check-in is valid (nothing to measure): %v", err)
	}
	ok := validCheckIn()
	if err := ValidateCheckIn(&ok); err != nil {
		t.Fatalf("valid check-in: %v", err)
	}
	wc := func(f func(*probeapi.CheckInTarget)) func(*probeapi.CheckInResponse) {
		return func(r *probeapi.CheckInResponse) {
			tt := r.Tests["web_connectivity"]
			tt.URLs = append([]probeapi.CheckInTarget(nil), tt.URLs...)
			f(&tt.URLs[0])
			r.Tests = map[string]probeapi.CheckInTest{"web_connectivity": tt}
		}
	}
	helper := func(addr string) func(*probeapi.CheckInResponse) {
		return func(r *probeapi.CheckInResponse) {
			r.Conf.TestHelpers = map[string][]probeapi.TestHelper{"web-connectivity": {{Address: addr, Type: "https"}}}
		}
	}
	cases := []struct {
		name   string
		change func(*probeapi.CheckInResponse)
		want   string
	}{
		{"country", func(r *probeapi.CheckInResponse) { r.ProbeCC = "it" }, `probe_cc "it" is not a country code`},
		{"asn", func(r *probeapi.CheckInResponse) { r.ProbeASN = "30722" }, `probe_asn "30722" is not AS`},
		{"network name", func(r *probeapi.CheckInResponse) { r.ProbeNetworkName = "a\x1b[2Jb" }, "probe_network_name is too long or not printable"},
		{"probe ip", func(r *probeapi.CheckInResponse) { r.ProbeIP = "1.2.3" }, `probe_ip "1.2.3" is not an IP address`},
		{"test name", func(r *probeapi.CheckInResponse) { r.Tests = map[string]probeapi.CheckInTest{"../x": {}} }, `test name "../x"`},
		{"report id", func(r *probeapi.CheckInResponse) {
			r.Tests = map[string]probeapi.CheckInTest{"dns": {ReportID: "a b"}}
		}, `tests.dns.report_id "a b"`},
		{"file url", wc(func(u *probeapi.CheckInTarget) { u.URL = "file:///etc/passwd" }), `tests.web_connectivity.urls[0]: "file:///etc/passwd": only http and https`},
		{"javascript url", wc(func(u *probeapi.CheckInTarget) { u.URL = "javascript:alert(1)" }), "only http and https"},
		{"url with space", wc(func(u *probeapi.CheckInTarget) { u.URL = "https://a b/" }), "holds a space"},
		{"category", wc(func(u *probeapi.CheckInTarget) { u.CategoryCode = "NEWS;rm" }), `category_code "NEWS;rm"`},
		{"country of target", wc(func(u *probeapi.CheckInTarget) { u.CountryCode = "ITA" }), `country_code "ITA"`},
		{"helper scheme", helper("ftp://th.example.org"), `conf.test_helpers.web-connectivity[0]: "ftp://th.example.org" is not an http or https URL`},
		{"helper with credentials", helper("https://u:p@th.example.org"), "is not an http or https URL"},
		{"helper with query", helper("https://th.example.org/?x=1"), "is not an http or https URL"},
		{"collector", func(r *probeapi.CheckInResponse) { r.Conf.Collector = "gopher://c" }, "conf.collector:"},
		{"too many targets", func(r *probeapi.CheckInResponse) {
			urls := make([]probeapi.CheckInTarget, MaxCheckInTargets+1)
			for i := range urls {
				urls[i].URL = "https://example.org/"
			}
			r.Tests = map[string]probeapi.CheckInTest{"web_connectivity": {URLs: urls}}
		}, "more than 50000 targets"},
		{"too many tests", func(r *probeapi.CheckInResponse) {
			r.Tests = map[string]probeapi.CheckInTest{}
			for i := range MaxCheckInTests + 1 {
				r.Tests[strings.Repeat("a", i+1)] = probeapi.CheckInTest{}
			}
		}, "65 tests, more than 64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validCheckIn()
			c.change(&r)
			err := ValidateCheckIn(&r)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// FuzzCheckIn: whatever a collector sends, a check-in that validates
// hands the runner only http(s) URLs and safe report ids.
func FuzzCheckIn(f *testing.F) {
	ok := validCheckIn()
	seed, _ := json.Marshal(ok)
	f.Add(seed)
	f.Add([]byte(`{"tests":{"web_connectivity":{"urls":[{"url":"file:///etc/passwd"}]}}}`))
	f.Add([]byte(`{"probe_ip":"::ffff:1.2.3.4","conf":{"collector":"https://c.example/"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r probeapi.CheckInResponse
		if json.Unmarshal(b, &r) != nil || ValidateCheckIn(&r) != nil {
			return
		}
		for name, tt := range r.Tests {
			if !isTestName(name) || (tt.ReportID != "" && strings.ContainsAny(tt.ReportID, "/?#% ")) {
				t.Fatalf("validated a bad test %q / report id %q", name, tt.ReportID)
			}
			for _, u := range tt.URLs {
				if targets.CheckURL(u.URL) != nil {
					t.Fatalf("validated URL %q", u.URL)
				}
			}
		}
	})
}
