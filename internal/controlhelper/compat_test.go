package controlhelper

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sonde-project/sonde/internal/measurement"
)

// ooniControls returns the "control" objects of the real OONI
// web_connectivity measurements in the repository's testdata, by file
// name.
func ooniControls(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	root := filepath.Join("..", "..", "testdata", "ooni")
	out := map[string]json.RawMessage{}
	add := func(name string, raw []byte) {
		var m struct {
			TestName string `json:"test_name"`
			TestKeys struct {
				Control json.RawMessage `json:"control"`
			} `json:"test_keys"`
		}
		if json.Unmarshal(raw, &m) == nil && m.TestName == "web_connectivity" &&
			len(m.TestKeys.Control) > 0 && string(m.TestKeys.Control) != "null" {
			out[name] = m.TestKeys.Control
		}
	}
	files, _ := filepath.Glob(filepath.Join(root, "backend-fastpath", "*.json"))
	spec, _ := filepath.Glob(filepath.Join(root, "spec-examples", "*.json"))
	for _, f := range append(files, spec...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		add(filepath.Base(f), data)
	}
	// The explorer's recorded API answers hold the raw measurement as a
	// string inside the body.
	meta, _ := filepath.Glob(filepath.Join(root, "explorer", "measurement_meta", "*.json"))
	for _, f := range meta {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct{ Body string }
		var body struct {
			RawMeasurement string `json:"raw_measurement"`
		}
		if json.Unmarshal(data, &rec) == nil && json.Unmarshal([]byte(rec.Body), &body) == nil {
			add(filepath.Base(f), []byte(body.RawMeasurement))
		}
	}
	if len(out) < 15 {
		t.Fatalf("found only %d control objects in %s", len(out), root)
	}
	return out
}

// TestOONIControlsRoundTrip: every control answer OONI's helpers wrote
// (from 2016's oonib to 2024's oohelperd) decodes into ControlResponse and
// encodes back to the same content: no field is lost or changed. Absent,
// null and zero values ("", 0, [], {}) are treated alike, as OONI's Go
// readers decode them alike (an empty control, {}, from a failed helper,
// reads as status_code 0 in both).
func TestOONIControlsRoundTrip(t *testing.T) {
	for name, raw := range ooniControls(t) {
		t.Run(name, func(t *testing.T) {
			var cr measurement.ControlResponse
			if err := json.Unmarshal(raw, &cr); err != nil {
				t.Fatalf("decode: %v", err)
			}
			again, err := json.Marshal(cr)
			if err != nil {
				t.Fatal(err)
			}
			var want, got any
			json.Unmarshal(raw, &want)
			json.Unmarshal(again, &got)
			want, got = normalize(want), normalize(got)
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("round trip changed the control:\nOONI: %s\nours: %s", mustJSON(want), mustJSON(got))
			}
		})
	}
}

// TestOONIControlShapes pins what the newest OONI answers hold, so that the
// fields this helper writes are the ones OONI's probes read.
func TestOONIControlShapes(t *testing.T) {
	raw := ooniControls(t)["ts-017-web-connectivity_example.json"]
	var cr measurement.ControlResponse
	if err := json.Unmarshal(raw, &cr); err != nil {
		t.Fatal(err)
	}
	if cr.IPInfo["93.184.216.34"].Flags != 11 || cr.IPInfo["93.184.216.34"].ASN != 15133 ||
		!cr.TLSHandshake["[2606:2800:220:1:248:1893:25c8:1946]:443"].Status || cr.HTTPRequest.Title != "Example Domain" {
		t.Fatalf("%+v", cr)
	}
	// oohelperd writes these two even when QUIC was not measured.
	var keys map[string]json.RawMessage
	json.Unmarshal(raw, &keys)
	ours, _ := json.Marshal(measurement.ControlResponse{})
	var ourKeys map[string]json.RawMessage
	json.Unmarshal(ours, &ourKeys)
	for _, k := range []string{"quic_handshake", "http3_request", "tcp_connect", "http_request", "dns"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("OONI's answer lacks %q", k)
		}
		if _, ok := ourKeys[k]; !ok {
			t.Errorf("our answer lacks %q", k)
		}
	}
}

// normalize drops null and zero values (empty strings, 0, empty objects
// and lists), recursively.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if e = normalize(e); e != nil {
				out[k] = e
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case string:
		if x == "" {
			return nil
		}
	case float64:
		if x == 0 {
			return nil
		}
	case []any:
		if len(x) == 0 {
			return nil
		}
		for i := range x {
			x[i] = normalize(x[i])
		}
	}
	return v
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
