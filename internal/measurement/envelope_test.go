package measurement

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sonde-project/sonde/internal/canonjson"
)

// FuzzParseEnvelope holds ParseEnvelope to Parse on valid JSON, and
// ParseAliasing to Parse on anything.
func FuzzParseEnvelope(f *testing.F) {
	real, err := os.ReadFile(filepath.Join("..", "..", "testdata", "ooni", "backend-fastpath", "20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real)
	for _, s := range []string{
		`{"test_keys":{"a":1},"test_name":"x","measurement_start_time":"2024-01-02 03:04:05"}`,
		`{ "test_name" : "x" , "test_keys" : [ 1 ] , "measurement_start_time":"2024-01-02 03:04:05" }`,
		`{"test_name":"x","measurement_start_time":"2024-01-02 03:04:05","test_keys":null}`,
		`{"TEST_KEYS":{},"test_keys":{"b":2},"test_name":"x","measurement_start_time":"2024-01-02 03:04:05"}`,
		`{"test_keys":{},"test_keys":{"b":2},"test_name":"x","measurement_start_time":"2024-01-02 03:04:05"}`,
		`{"test_name":"x","measurement_start_time":"2024-01-02 03:04:05","test_runtime":"slow","test_keys":{}}`,
		`{"test_keys":{}}`,
		`{"test_helpers":{"backend":{"address":"https://x","n":[1,-2.5e3,true,false,null,{"k\u00e9":"\ud83d\ude00"}],"e":{},"l":[]}},"test_name":"x","measurement_start_time":"2024-01-02 03:04:05"}`,
		`{"test_helpers":"x","test_name":"x","measurement_start_time":"2024-01-02 03:04:05"}`,
		`{"test_helpers":null,"test_name":"x","measurement_start_time":"2024-01-02 03:04:05"}`,
		`{"test_helpers":{"big":1e400},"test_name":"x","measurement_start_time":"2024-01-02 03:04:05"}`,
		`{"test_helpers":{"a":1,"a":[2]},"test_name":"x","measurement_start_time":"2024-01-02 03:04:05"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// ParseAliasing, on any input, is Parse; it relies on canonjson
		// accepting no more than encoding/json.
		want, werr := Parse(b)
		got, gerr := ParseAliasing(b)
		if gerr == nil {
			// What ParseAliasing remembers of its check is true, and
			// the only difference from Parse.
			if got.TestKeysValid() != canonjson.Valid(got.TestKeys) {
				t.Fatalf("%q: TestKeysValid %v, canonjson.Valid %v", b, got.TestKeysValid(), canonjson.Valid(got.TestKeys))
			}
			got.validKeys = nil
		}
		if (werr == nil) != (gerr == nil) || (werr == nil && !reflect.DeepEqual(got, want)) {
			t.Fatalf("%q:\nParseAliasing %+v, %v\nParse         %+v, %v", b, got, gerr, want, werr)
		}
		if canonjson.Valid(b) && !json.Valid(b) {
			t.Fatalf("%q: valid for canonjson, not for encoding/json", b)
		}
		if !json.Valid(b) {
			return
		}
		got, gerr = ParseEnvelope(b)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%q: Parse error %v, ParseEnvelope error %v", b, werr, gerr)
		}
		if werr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nParseEnvelope %+v\nParse         %+v", b, got, want)
		}
		// An EnvelopeDecoder over the members canonjson writes (the
		// collector's door) is Parse of what it wrote, when it does not
		// defer.
		var d EnvelopeDecoder
		canon, err := canonjson.Append(nil, b, &canonjson.Options{TopLevel: d.Member})
		if err != nil || canon[0] != '{' {
			return
		}
		m, merr := d.Measurement()
		want, werr = Parse(canon)
		if merr == nil && (werr != nil || !reflect.DeepEqual(m, want)) {
			t.Fatalf("%q:\nEnvelopeDecoder %+v\nParse           %+v, %v", canon, m, want, werr)
		}
	})
}

// TestTestKeysValid: the answer is remembered from ParseAliasing's check
// only while TestKeys is what it set; otherwise it is checked.
func TestTestKeysValid(t *testing.T) {
	doc := []byte(`{"test_keys":{"a":[1,2]},"test_name":"x","measurement_start_time":"2024-01-02 03:04:05"}`)
	m, err := ParseAliasing(doc)
	if err != nil || len(m.validKeys) == 0 || !m.TestKeysValid() {
		t.Fatalf("ParseAliasing: %v, remembered %q, valid %v", err, m.validKeys, m.TestKeysValid())
	}
	for _, keys := range []string{`{"a":`, `{"a":1}x`, ``} {
		m.TestKeys = json.RawMessage(keys)
		if m.TestKeysValid() {
			t.Errorf("TestKeys %q replaced after parsing: valid", keys)
		}
	}
	m, err = Parse(doc)
	if err != nil || !m.TestKeysValid() {
		t.Errorf("Parse: %v, valid %v", err, m.TestKeysValid())
	}
}
