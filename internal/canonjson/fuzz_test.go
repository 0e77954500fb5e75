package canonjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/internal/canonjson"
)

// FuzzAppend holds Append to encoding/json on any input: what Append
// accepts, encoding/json accepts and writes identically; what
// encoding/json refuses, Append refuses; and Members splits Append's
// output into exactly the decoded object's members.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{
		`{"b":1,"a":[true,false,null,"x\u00e9\ud83d\ude00"]}`, `"\ud800\udc00\ud800"`, `-0.0e-0`,
		"{\"k\":\"\u2028\"}", `{"a":{"a":{"a":{}}}}`, `[1e308,1e309]`, `{"a":1,"a":2}`, "\"\xff\"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		type member struct{ k, v string }
		var top []member
		prefix := []byte("prefix ")
		got, err := canonjson.Append(prefix, src, &canonjson.Options{TopLevel: func(k, v []byte) {
			top = append(top, member{string(k), string(v)})
		}})
		if !bytes.HasPrefix(got, prefix) {
			t.Fatalf("Append lost dst: %q", got)
		}
		got = got[len(prefix):]
		want, refErr := reference(src)
		if refErr != nil {
			if err == nil {
				t.Fatalf("encoding/json refuses (%v) what Append accepts: %q", refErr, src)
			}
			if len(top) > 0 {
				t.Fatalf("TopLevel called for a refused document: %q", src)
			}
			return
		}
		if err != nil {
			var se *canonjson.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("not a SyntaxError: %v", err)
			}
			// Append is stricter: only these refusals are allowed.
			for _, ok := range []string{"duplicate key", "nested more than", "invalid UTF-8", "number"} {
				if strings.Contains(se.Msg, ok) {
					return
				}
			}
			t.Fatalf("Append refuses (%v) what encoding/json accepts: %q", err, src)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("input %q\nAppend        %s\nencoding/json %s", src, got, want)
		}
		var obj map[string]json.RawMessage
		if got[0] != '{' || json.Unmarshal(got, &obj) != nil {
			if len(top) > 0 {
				t.Fatalf("TopLevel called for %q, not an object", got)
			}
			return
		}
		if len(top) != len(obj) {
			t.Fatalf("TopLevel saw %d members of %d: %s", len(top), len(obj), got)
		}
		for i, m := range top {
			if i > 0 && top[i-1].k >= m.k {
				t.Fatalf("TopLevel out of order: %q then %q", top[i-1].k, m.k)
			}
			if string(obj[m.k]) != m.v {
				t.Fatalf("TopLevel member %q: %s, decoded %s", m.k, m.v, obj[m.k])
			}
		}
		n := 0
		if err := canonjson.Members(got, func(k, v []byte) error {
			var key string
			if err := json.Unmarshal(append(append([]byte{'"'}, k...), '"'), &key); err != nil {
				t.Fatalf("key %q: %v", k, err)
			}
			if !bytes.Equal(obj[key], v) {
				t.Fatalf("member %q: %s, decoded %s", key, v, obj[key])
			}
			n++
			return nil
		}); err != nil || n != len(obj) {
			t.Fatalf("Members: %v after %d of %d", err, n, len(obj))
		}
	})
}

// FuzzValid holds Valid to encoding/json.Valid, and ValidObject's
// members to the decoded object's.
func FuzzValid(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}],"c":"\u00e9\n"}`, `[01]`, `{"a" 1}`, "\"\xff\"", `[1,]`, `{"a":1,}`, `-`, `1e`, ` true `, `[]]`, `{}}`, `"\u12"`,
		` { "k" : { } , "l" : [ ] , "m" : "x" , "n" : 1 } `, `{"\u0061":{"b":{}},"c":[{}]}`} {
		f.Add([]byte(s))
	}
	f.Add([]byte(strings.Repeat("[", 10000) + strings.Repeat("]", 10000)))
	f.Add([]byte(strings.Repeat("[", 10001) + strings.Repeat("]", 10001)))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := canonjson.Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, encoding/json says %v", b, got, want)
		}
		var keys, values []string
		ok := canonjson.ValidObject(b, func(k, v []byte) {
			keys, values = append(keys, string(k)), append(values, string(v))
		})
		if ok != json.Valid(b) {
			t.Fatalf("ValidObject(%q) = %v", b, ok)
		}
		var obj map[string]json.RawMessage
		if !ok || json.Unmarshal(b, &obj) != nil {
			if len(keys) > 0 {
				t.Fatalf("ValidObject(%q) called fn for what is not an object", b)
			}
			return
		}
		last := map[string]string{} // encoding/json keeps a repeated key's last value
		for i, k := range keys {
			var key string
			if err := json.Unmarshal([]byte(`"`+k+`"`), &key); err != nil {
				t.Fatalf("key %q: %v", k, err)
			}
			last[key] = values[i]
		}
		if len(last) != len(obj) {
			t.Fatalf("ValidObject(%q) saw %d distinct keys, encoding/json %d", b, len(last), len(obj))
		}
		for k, v := range last {
			if v != string(obj[k]) {
				t.Fatalf("ValidObject(%q) member %q = %q, encoding/json %q", b, k, v, obj[k])
			}
		}
	})
}
