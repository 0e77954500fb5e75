package canonjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/internal/canonjson"
)

// reference is what the collector did before canonjson: decode with
// UseNumber into Go values, encode without HTML escaping.
func reference(src []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if len(bytes.TrimLeft(src[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil, errors.New("data after the value")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func TestAppendMatchesEncodingJSON(t *testing.T) {
	for name, in := range map[string]string{
		"sorted keys":     `{"b":1,"a":{"d":[1,2,{"z":null,"y":true}],"c":false}}`,
		"white space":     " {\n\t\"a\" : [ 1 , 2 ] ,\r\n \"\": \"\" } ",
		"numbers as sent": `[0,-0,1.50,1e5,1E+05,-2.5e-3,12345678901234567890]`,
		"escapes":         `["\u0041\n\"\\\/\b\f\r\t","\u00e9\u2028\u2029<>&","\ud83d\ude00","\ud800x","\udc00\ud800"]`,
		"non-ASCII":       `{"ключ":"значение","日本":"語","é":"\u00e9"}`,
		"control escaped": `"\u0001\u001f\u007f"`,
		"scalars":         `true`,
		"empty":           `{"a":{},"b":[],"c":""}`,
		"real measurement": func() string {
			b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "ooni", "backend-fastpath", "20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json"))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			want, err := reference([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			got, err := canonjson.Append(nil, []byte(in), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func TestAppendRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in, why string }{
		{"empty", ``, "unexpected end"},
		{"trailing", `{} {}`, "data after"},
		{"duplicate key", `{"a":1,"b":2,"a":3}`, `duplicate key "a"`},
		{"nested duplicate", `{"x":[{"k":1,"k":1}]}`, `duplicate key "k"`},
		{"too deep", strings.Repeat("[", 65) + strings.Repeat("]", 65), "nested more than 64"},
		{"invalid UTF-8", "{\"a\":\"\xff\"}", "invalid UTF-8"},
		{"invalid UTF-8 key", "{\"\xc3\":1}", "invalid UTF-8"},
		{"control character", "\"a\nb\"", "control character"},
		{"huge exponent", `[1e999]`, "out of range"},
		{"long number", `[` + strings.Repeat("9", 65) + `]`, "longer than 64"},
		{"bad escape", `"\x"`, "invalid escape"},
		{"bad unicode escape", `"\u12g4"`, `invalid \u escape`},
		{"leading zero", `[01]`, "after an array element"},
		{"bare minus", `[-]`, "invalid number"},
		{"unquoted key", `{a:1}`, "expected a string key"},
		{"missing colon", `{"a" 1}`, "expected ':'"},
		{"unterminated", `{"a":"b`, "unexpected end"},
		{"bad literal", `[tru]`, "invalid literal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := canonjson.Append([]byte("keep"), []byte(tc.in), nil)
			var se *canonjson.SyntaxError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.why) {
				t.Fatalf("got %v, want a SyntaxError with %q", err, tc.why)
			}
			if string(out) != "keep" {
				t.Errorf("dst changed to %q", out)
			}
		})
	}
}

func TestAppendTransformsAndSets(t *testing.T) {
	upper := func(b []byte) []byte { return bytes.ToUpper(b) }
	opt := &canonjson.Options{
		Key: upper, String: upper,
		Set: []canonjson.Member{{Key: "ID", Value: nil}, {Key: "IP", Value: []byte(`"127.0.0.1"`)}},
	}
	var top []string
	opt.TopLevel = func(k, v []byte) { top = append(top, string(k)+"="+string(v)) }
	got, err := canonjson.Append(nil, []byte(`{"id":"x","b":"yes","a":{"id":"kept"},"ip":"1.2.3.4"}`), opt)
	if err != nil {
		t.Fatal(err)
	}
	// Keys are transformed before they are sorted and matched; Set
	// applies at the top level only and its values are not transformed.
	want := `{"A":{"ID":"KEPT"},"B":"YES","IP":"127.0.0.1"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// TopLevel sees the members as written, Set's included.
	if got, want := strings.Join(top, " "), `A={"ID":"KEPT"} B="YES" IP="127.0.0.1"`; got != want {
		t.Errorf("TopLevel saw %s, want %s", got, want)
	}
	if _, err := canonjson.Append(nil, []byte(`{"a":1,"A":2}`), &canonjson.Options{Key: upper}); err == nil {
		t.Error("keys that collide once transformed were accepted")
	}
}

func TestMembers(t *testing.T) {
	doc := []byte(` { "a" : [1,{"x":"}"}] , "b\"c":"q\\", "d":null, "e":-1.5e3 } `)
	var got []string
	err := canonjson.Members(doc, func(k, v []byte) error {
		got = append(got, string(k)+"="+string(v))
		return nil
	})
	want := []string{`a=[1,{"x":"}"}]`, `b\"c="q\\"`, `d=null`, `e=-1.5e3`}
	if err != nil || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	if err := canonjson.Members([]byte(`[1]`), func(k, v []byte) error { return nil }); err != canonjson.ErrNotObject {
		t.Errorf("an array: %v", err)
	}
	stop := errors.New("stop")
	n := 0
	if err := canonjson.Members(doc, func(k, v []byte) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("fn's error: %v after %d calls", err, n)
	}
}

func TestElements(t *testing.T) {
	var got []string
	err := canonjson.Elements([]byte(` [ {"a":"]"} , 1,"x" ,[[]] ] `), func(v []byte) error {
		got = append(got, string(v))
		return nil
	})
	if want := `{"a":"]"}|1|"x"|[[]]`; err != nil || strings.Join(got, "|") != want {
		t.Errorf("got %q, %v; want %s", got, err, want)
	}
	for _, bad := range []string{`{}`, `[1,]`, `[1] 2`, `[`, `[1 2]`} {
		if err := canonjson.Elements([]byte(bad), func([]byte) error { return nil }); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
