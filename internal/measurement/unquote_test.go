package measurement

import (
	"encoding/json"
	"testing"
)

// FuzzUnquote holds unquote to encoding/json's decoding of a string:
// the same value whenever it reports success, and success whenever
// encoding/json succeeds.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{
		`"plain"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\u20ac"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ud83dx"`,
		`"\ude00\ud83d"`, `"\ud83d\u0041"`, `"\ud83d\uzzzz"`, "\"\xff\xfe\"", `"a"b"`, `"\'"`, `"\x"`, `"\u12"`,
		`"abc\"`, "\"a\tb\"", `""`, `"`, `x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := unquote(b)
		var want string
		err := json.Unmarshal(b, &want)
		if ok && (err != nil || got != want) || !ok && err == nil && len(b) > 0 && b[0] == '"' && b[len(b)-1] == '"' {
			t.Fatalf("%q: unquote %q %v, encoding/json %q %v", b, got, ok, want, err)
		}
	})
}
