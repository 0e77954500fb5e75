package measurement

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// oonidata lists the real OONI measurements (one JSON object per file)
// kept in the repository's testdata.
func oonidata(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"backend-fastpath", "spec-examples"} {
		m, err := filepath.Glob(filepath.Join("..", "..", "testdata", "ooni", dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if strings.Contains(f, "fingerprints_") {
				continue
			}
			files = append(files, f)
		}
	}
	if len(files) < 60 {
		t.Fatalf("found %d OONI measurements in testdata, want at least 60", len(files))
	}
	return files
}

func TestParseRealOONIMeasurements(t *testing.T) {
	for _, f := range oonidata(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(b)
			if err != nil {
				if strings.HasPrefix(filepath.Base(f), "yaml") || strings.Contains(f, "spec-examples") {
					t.Skipf("legacy or abridged example, not a df-000-base measurement: %v", err)
				}
				t.Fatal(err)
			}
			steps, dropped := DecodeSteps(m.TestKeys)
			if dropped > 0 {
				t.Logf("%d steps do not have the archival shape", dropped)
			}
			if m.TestName == "web_connectivity" && len(steps.Queries)+len(steps.Requests)+len(steps.TCPConnect) == 0 && dropped == 0 {
				t.Logf("web_connectivity without any step")
			}
			if m.TestName == "web_connectivity" {
				var tk WebTestKeys
				if err := json.Unmarshal(m.TestKeys, &tk); err != nil {
					t.Fatalf("web test keys: %v", err)
				}
			}
			// Encoding and decoding again must give the same measurement.
			out, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Parse(out)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(stripKeys(m), stripKeys(again)) {
				t.Fatalf("round trip changed the envelope")
			}
		})
	}
}

func stripKeys(m *Measurement) Measurement {
	c := *m
	c.TestKeys = nil
	return c
}

func TestMaybeBinary(t *testing.T) {
	cases := []struct {
		name string
		in   MaybeBinary
		json string
	}{
		{"text", "hello", `"hello"`},
		{"empty", "", `""`},
		{"binary", MaybeBinary([]byte{0xff, 0x00, 'a'}), `{"format":"base64","data":"/wBh"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != c.json {
				t.Fatalf("got %s, want %s", b, c.json)
			}
			var back MaybeBinary
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if back != c.in {
				t.Fatalf("got %q, want %q", back, c.in)
			}
		})
	}
	var v MaybeBinary
	if err := json.Unmarshal([]byte(`{"format":"base64","data":"aGk"}`), &v); err != nil || v != "hi" {
		t.Fatalf("unpadded base64: %q %v", v, err)
	}
	if err := json.Unmarshal([]byte(`{"format":"hex","data":"00"}`), &v); err == nil {
		t.Fatal("unknown format accepted")
	}
	if err := json.Unmarshal([]byte(`12`), &v); err == nil {
		t.Fatal("number accepted")
	}
}

func TestBlocking(t *testing.T) {
	for _, c := range []struct {
		json string
		want Blocking
	}{
		{`false`, NotBlocked},
		{`null`, Blocking{}},
		{`"dns"`, BlockedBy(BlockingDNS)},
		{`"http-diff"`, BlockedBy(BlockingHTTPDiff)},
	} {
		var b Blocking
		if err := json.Unmarshal([]byte(c.json), &b); err != nil {
			t.Fatal(err)
		}
		if b != c.want {
			t.Fatalf("%s: got %+v", c.json, b)
		}
		out, _ := json.Marshal(b)
		if string(out) != c.json {
			t.Fatalf("%s encoded as %s", c.json, out)
		}
	}
	var b Blocking
	if err := json.Unmarshal([]byte(`12`), &b); err == nil {
		t.Fatal("number accepted as blocking")
	}
}

func TestInputNull(t *testing.T) {
	b, _ := json.Marshal(struct {
		I Input `json:"input"`
	}{})
	if string(b) != `{"input":null}` {
		t.Fatal(string(b))
	}
}

func TestParseRejects(t *testing.T) {
	for name, in := range map[string]string{
		"not json":     `{`,
		"no test name": `{"measurement_start_time":"2024-01-02 03:04:05"}`,
		"bad time":     `{"test_name":"dns","measurement_start_time":"2024-01-02T03:04:05Z"}`,
		"array":        `[]`,
	} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestTime(t *testing.T) {
	at := time.Date(2026, 11, 23, 1, 2, 3, 999, time.FixedZone("x", 3600))
	s := FormatTime(at)
	if s != "2026-11-23 00:02:03" {
		t.Fatal(s)
	}
	back, err := ParseTime(s)
	if err != nil || !back.Equal(at.Truncate(time.Second)) {
		t.Fatal(back, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"test_name":"dns","measurement_start_time":"2024-01-02 03:04:05","test_keys":{"queries":[]}}`))
	f.Add([]byte(`{"test_name":"web_connectivity","measurement_start_time":"2024-01-02 03:04:05","test_keys":{"blocking":"dns","requests":[{"response":{"body":{"format":"base64","data":"aGk"}}}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		var tk WebTestKeys
		_ = json.Unmarshal(m.TestKeys, &tk)
		if _, err := json.Marshal(m); err != nil {
			t.Fatalf("a parsed measurement does not encode: %v", err)
		}
	})
}

func TestDecodeRealWebConnectivity(t *testing.T) {
	b, err := os.ReadFile("../../testdata/ooni/backend-fastpath/20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	var tk WebTestKeys
	if err := json.Unmarshal(m.TestKeys, &tk); err != nil {
		t.Fatal(err)
	}
	if got := tk.Queries[0].Answers[0].IPv4; got != "207.241.224.2" {
		t.Errorf("first answer %q", got)
	}
	if got := tk.Requests[1].Response.Headers["Location"]; got != "http://lamanlabuh.aduankonten.id/" {
		t.Errorf("redirect %q", got)
	}
	if tk.Blocking != NotBlocked || tk.Accessible == nil || !*tk.Accessible {
		t.Errorf("probe verdict %+v %v", tk.Blocking, tk.Accessible)
	}
	if tk.Control == nil || tk.Control.HTTPRequest.BodyLength != 2997 || tk.Control.IPInfo["207.241.224.2"].Flags != 11 {
		t.Errorf("control %+v", tk.Control)
	}
}

func TestDecodeStepsDropsMisshapenEntries(t *testing.T) {
	steps, dropped := DecodeSteps(json.RawMessage(`{
		"queries": [{"hostname":"a.example","query_type":"A","answers":[{"answer_type":"A","ipv4":"192.0.2.1","ttl":null}]},
		            {"hostname":"b.example","answers":[{"ttl":"300"}]}],
		"tcp_connect": {"not":"a list"},
		"requests": null}`))
	if len(steps.Queries) != 1 || steps.Queries[0].Hostname != "a.example" {
		t.Fatalf("queries %+v", steps.Queries)
	}
	if dropped != 2 {
		t.Fatalf("dropped %d, want 2", dropped)
	}
}
