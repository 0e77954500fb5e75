package measurement

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sonde-project/sonde/internal/canonjson"
)

// ParseEnvelope is Parse for a document already known to be valid JSON
// (the collector's spool, a document internal/canonjson wrote): it
// decodes every field like Parse but only delimits test_keys, which is
// most of a measurement, instead of decoding it once to check it and once
// more to skip it. TestKeys aliases b. For a document that is not valid
// JSON the result is unspecified; use Parse for untrusted input.
func ParseEnvelope(b []byte) (*Measurement, error) {
	var keys []byte
	found, odd := 0, false
	err := canonjson.Members(b, func(k, v []byte) error {
		switch {
		case string(k) == "test_keys":
			found++
			keys = v
		case bytes.EqualFold(k, []byte("test_keys")) || bytes.IndexByte(k, '\\') >= 0:
			odd = true // Parse would match it too: let Parse decide
		}
		return nil
	})
	if err != nil || found != 1 || odd {
		return Parse(b)
	}
	// Cut `"test_keys":{…}` out, with one of the commas around it: walk
	// back from the value over the colon and the key, which hold neither
	// a comma nor a brace.
	start := offset(b, keys)
	for b[start-1] != ',' && b[start-1] != '{' {
		start--
	}
	end := offset(b, keys) + len(keys)
	head := make([]byte, 0, len(b)-len(keys))
	if b[start-1] == ',' {
		head = append(append(head, b[:start-1]...), b[end:]...)
	} else { // the first member: drop the comma after it, if any
		rest := bytes.TrimLeft(b[end:], " \t\r\n")
		if len(rest) > 0 && rest[0] == ',' {
			rest = rest[1:]
		}
		head = append(append(head, b[:start]...), rest...)
	}
	var m Measurement
	if err := json.Unmarshal(head, &m); err != nil {
		return nil, fmt.Errorf("measurement: %w", err)
	}
	m.TestKeys = keys
	if m.TestName == "" {
		return nil, errors.New("measurement: no test_name")
	}
	if _, err := m.StartTime(); err != nil {
		return nil, fmt.Errorf("measurement: measurement_start_time: %w", err)
	}
	return &m, nil
}

// offset returns where sub (a subslice of b) starts in b.
func offset(b, sub []byte) int {
	return cap(b) - cap(sub)
}
