package analysis

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sonde-project/sonde/internal/measurement"
)

// ParseRecord reads one input record as a measurement. Besides a plain
// OONI measurement it accepts what researchers download from OONI:
//
//   - an API measurement_meta answer, whose raw_measurement (a JSON string
//     or object) is the measurement; its measurement_uid fills a missing
//     one;
//   - a recorded API response {"status":200,"body":"<JSON text>"} around
//     such an answer (OONI Explorer's test fixtures);
//   - the fastpath's {"format":"json","content":{…}} envelope.
func ParseRecord(b []byte) (*measurement.Measurement, error) {
	for depth := 0; depth < 4; depth++ {
		inner, uid, wrapped, err := unwrap(b)
		if err != nil {
			return nil, err
		}
		if !wrapped {
			// A copy: readers reuse their buffers, and TestKeys would
			// alias them.
			m, err := measurement.ParseAliasing(bytes.Clone(b))
			if err != nil {
				return nil, err
			}
			if m.MeasurementUID == "" {
				m.MeasurementUID = uid
			}
			return m, nil
		}
		if uid != "" {
			m, err := ParseRecord(inner)
			if err != nil {
				return nil, err
			}
			if m.MeasurementUID == "" {
				m.MeasurementUID = uid
			}
			return m, nil
		}
		b = inner
	}
	return nil, errors.New("measurement wrapped too deeply")
}

// unwrap returns the record inside a wrapper, and the measurement_uid the
// wrapper names. wrapped is false for anything that is not a wrapper.
func unwrap(b []byte) (inner []byte, uid string, wrapped bool, err error) {
	// Cheap checks first: a measurement is rarely one of these.
	hasRaw := bytes.Contains(b, []byte(`"raw_measurement"`))
	hasBody := bytes.Contains(b, []byte(`"body"`)) && bytes.Contains(b, []byte(`"status"`))
	hasContent := bytes.Contains(b, []byte(`"content"`)) && bytes.Contains(b, []byte(`"format"`))
	if !hasRaw && !hasBody && !hasContent {
		return nil, "", false, nil
	}
	top, err := topLevel(b)
	if err != nil {
		return nil, "", false, fmt.Errorf("not a JSON object: %w", err)
	}
	if _, isMsmt := top["test_keys"]; isMsmt {
		return nil, "", false, nil
	}
	if raw, ok := top["raw_measurement"]; ok {
		var u string
		_ = json.Unmarshal(top["measurement_uid"], &u)
		inner, err := jsonTextOrValue(raw)
		if err != nil {
			return nil, "", false, fmt.Errorf("raw_measurement: %w", err)
		}
		if len(inner) == 0 {
			return nil, "", false, errors.New("this OONI API answer has no raw_measurement: download it with full=true")
		}
		return inner, u, true, nil
	}
	if body, ok := top["body"]; ok && top["status"] != nil {
		var status int
		if json.Unmarshal(top["status"], &status) == nil && status != 200 {
			return nil, "", false, fmt.Errorf("a recorded API response with status %d, not a measurement", status)
		}
		inner, err := jsonTextOrValue(body)
		if err != nil {
			return nil, "", false, fmt.Errorf("body: %w", err)
		}
		return inner, "", true, nil
	}
	if content, ok := top["content"]; ok && len(top) == 2 {
		var format string
		_ = json.Unmarshal(top["format"], &format)
		if format != "json" {
			return nil, "", false, fmt.Errorf("a measurement in %q format: only json is read", format)
		}
		return content, "", true, nil
	}
	if _, ok := top["measurement_uid"]; ok && top["test_name"] != nil {
		return nil, "", false, errors.New("an OONI API answer without raw_measurement: download it with full=true")
	}
	return nil, "", false, nil
}

// jsonTextOrValue returns a JSON value given either as itself or as a JSON
// string holding its text.
func jsonTextOrValue(raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] != '"' {
		return raw, nil
	}
	s, err := measurement.UnquoteJSON(raw)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// topLevel is json.Unmarshal(b, &map[string]json.RawMessage{}) with the
// same result: decodeKeys' one validation and one delimiting pass instead
// of encoding/json's two full passes over what is mostly one long value
// (the values alias b); encoding/json for what decodeKeys leaves, to give
// its answer and its error.
func topLevel(b []byte) (map[string]json.RawMessage, error) {
	if k := decodeKeys(b); k != nil {
		return k, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, err
	}
	return top, nil
}
