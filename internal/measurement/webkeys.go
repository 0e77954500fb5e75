package measurement

import (
	"encoding/json"

	"github.com/sonde-project/sonde/internal/canonjson"
)

// DecodeWebTestKeys is json.Unmarshal(raw, &keys) for web_connectivity's
// test keys, with the same result and the same error, faster: the network
// steps, most of the bytes, go through DecodeSteps' decoder and the other
// fields through the same fast decoder (fastweb.go). Whenever that could
// differ from encoding/json (a key spelled in another case, given twice or
// escaped, a value of the wrong type, a step entry that does not fit,
// invalid JSON), encoding/json decodes the whole.
func DecodeWebTestKeys(raw []byte) (WebTestKeys, error) {
	if !canonjson.Valid(raw) {
		var tk WebTestKeys
		return tk, json.Unmarshal(raw, &tk)
	}
	return DecodeWebTestKeysValid(raw)
}

// DecodeWebTestKeysValid is DecodeWebTestKeys for test keys known to be
// valid JSON (part of a document checked with canonjson.Valid or
// encoding/json), without checking them again. For anything else its
// result is unspecified.
func DecodeWebTestKeysValid(raw []byte) (WebTestKeys, error) {
	tk, _, err := DecodeWebTestKeysSteps(raw)
	return tk, err
}

// DecodeWebTestKeysSteps is DecodeWebTestKeysValid, which also reports
// whether tk.Steps are what DecodeSteps(raw) gives, with nothing dropped
// (the keys name each step list at most once and spelled exactly, and
// every entry fits), so that callers that need both decode once. When it
// reports false they may still be: DecodeSteps decides.
func DecodeWebTestKeysSteps(raw []byte) (tk WebTestKeys, stepsExact bool, err error) {
	w := webKeys{tk: &tk}
	if len(raw) == 0 || raw[0] != '{' || decodeObject(&cursor{b: raw}, &w, webKeyNames) != nil || w.dropped > 0 {
		tk = WebTestKeys{}
		return tk, false, json.Unmarshal(raw, &tk)
	}
	return tk, true, nil
}
