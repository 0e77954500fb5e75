package analysis

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/sonde-project/sonde/internal/verdict"
)

var confidences = map[verdict.Confidence]bool{verdict.Confirmed: true, verdict.Anomaly: true, verdict.OK: true, verdict.Failure: true}
var statuses = map[verdict.Status]bool{verdict.StatusOK: true, verdict.StatusBlocked: true, verdict.StatusDown: true, verdict.StatusUnknown: true}

// FuzzAnalyze: any record that parses gets a complete verdict, without
// panicking (Analyze recovers, so a panic shows as an "internal error").
func FuzzAnalyze(f *testing.F) {
	f.Add([]byte(`{"test_name":"web_connectivity","measurement_start_time":"2024-01-02 03:04:05","input":"http://a.example/","test_keys":{"queries":[{"hostname":"a.example","answers":[{"ipv4":"10.10.34.36"}]}],"control":{"dns":{"addrs":["192.0.2.1"]}}}}`))
	f.Add([]byte(`{"test_name":"telegram","measurement_start_time":"2024-01-02 03:04:05","test_keys":{"requests":[{"request":{"url":"https://web.telegram.org/"},"failure":"x"}],"tcp_connect":[{"status":{"success":false}}]}}`))
	f.Add([]byte(`{"test_name":"tor","measurement_start_time":"2024-01-02 03:04:05","test_keys":{"targets":{"a":{"failure":"x","network_events":[]}}}}`))
	f.Add([]byte(`{"test_name":"dns","measurement_start_time":"2024-01-02 03:04:05","test_keys":{"dns_late_replies":[{"hostname":"a","answers":[{"ipv4":"1.1.1.1"}]}],"queries":[{"hostname":"a","answers":[{"ipv4":"2.2.2.2"}]}]}}`))
	a := Default()
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseRecord(b)
		if err != nil {
			return
		}
		v := a.Analyze(m)
		if !confidences[v.Confidence] || !statuses[v.Status] || v.Explanation == "" || v.Evidence == nil {
			t.Fatalf("incomplete verdict %+v", v)
		}
		if bytes.Contains([]byte(v.Explanation), []byte("internal error")) {
			t.Fatalf("the analysis panicked: %s", v.Explanation)
		}
		if v.Status == verdict.StatusBlocked && (v.Accessible == nil || *v.Accessible) {
			t.Fatalf("blocked but accessible: %+v", v)
		}
	})
}

// FuzzReader: the reader never panics and always ends.
func FuzzReader(f *testing.F) {
	f.Add([]byte(line1 + "\n{bad\n" + line3))
	f.Add([]byte("{\n \"test_name\": \"dns\",\n \"measurement_start_time\": \"2024-01-02 03:04:05\"\n}\n"))
	f.Add([]byte(`{"status":200,"body":"{\"measurement_uid\":\"u\",\"raw_measurement\":\"{}\"}"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(bytes.NewReader(b), "fuzz")
		for i := 0; i <= len(b)+2; i++ {
			_, _, err := r.Next()
			var rec *RecordError
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil && !errors.As(err, &rec) {
				t.Fatalf("stream error on a byte slice: %v", err)
			}
		}
		t.Fatal("the reader returned more records than there are lines")
	})
}

// FuzzTopLevel holds topLevel to json.Unmarshal into a map of raw values.
func FuzzTopLevel(f *testing.F) {
	f.Add([]byte(`{"measurement_uid":"u","raw_measurement":"{\"test_name\":\"dns\"}"}`))
	f.Add([]byte(`{"a":1,"a":2,"b":[1,{"c":null}]}`))
	f.Add([]byte(`{"k\u00e9":1,"x":"y"}`))
	f.Add([]byte(` { "status" : 200 , "body" : "{}" } `))
	f.Add([]byte(`null`))
	f.Add([]byte(`[1]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var want map[string]json.RawMessage
		werr := json.Unmarshal(b, &want)
		got, gerr := topLevel(b)
		if (werr == nil) != (gerr == nil) || (werr == nil && !reflect.DeepEqual(got, want)) {
			t.Fatalf("%q:\ntopLevel       %q, %v\njson.Unmarshal %q, %v", b, got, gerr, want, werr)
		}
	})
}
