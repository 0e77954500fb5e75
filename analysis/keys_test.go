package analysis

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzDecodeKeys holds decodeKeys and list to encoding/json's decoding
// into map[string]json.RawMessage and []json.RawMessage.
func FuzzDecodeKeys(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":[1,{"c":2}],"a":3}`, `{"\u0061":1}`, "{\"\xff\":1}", `null`, `[1]`, `{"l":[]}`, `{"l":null}`, `{"l":{}}`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var want keys
		if json.Unmarshal(raw, &want) != nil {
			want = nil
		}
		got := decodeKeys(raw)
		if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("%q: decodeKeys %v, encoding/json %v", raw, got, want)
		}
		for name := range want {
			var l []json.RawMessage
			if json.Unmarshal(want[name], &l) != nil {
				l = nil
			}
			if g := got.list(name); !reflect.DeepEqual(g, l) {
				t.Fatalf("%q: list(%q) = %q, encoding/json %q", raw, name, g, l)
			}
		}
	})
}
