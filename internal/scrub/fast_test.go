package scrub

import (
	"encoding/base64"
	"testing"
)

// fastCases are strings where an address hides, in text, in any case, in
// base64, or nearly (a longer address that must be kept).
var fastCases = []string{
	"", "plain text", "203.0.113.7", "your ip is 203.0.113.7.", "203.0.113.70", "7.113.0.203.IN-ADDR.ARPA",
	"2001:DB8::1:0:0:5", "2001:0db8:0000:0000:0001:0000:0000:0005", "[2001:db8::1:0:0:5]:443",
	base64.StdEncoding.EncodeToString([]byte{0, 1, 203, 0, 113, 7, 9}),
	base64.RawStdEncoding.EncodeToString([]byte("addr=203.0.113.7;")),
	base64.StdEncoding.EncodeToString([]byte("nothing to see here")),
	"application", "SGVsbG8gd29ybGQ=", "5.1.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
}

func TestFastMatchesSlow(t *testing.T) {
	s := mustParse(t, "203.0.113.7", "2001:db8:0:0:1::5")
	for _, in := range fastCases {
		if got, want := string(s.StringValue([]byte(in))), s.scrubValue(in); got != want {
			t.Errorf("StringValue(%q) = %q, scrubValue gives %q", in, got, want)
		}
		if got, want := string(s.Key([]byte(in))), s.String(in); got != want {
			t.Errorf("Key(%q) = %q, String gives %q", in, got, want)
		}
	}
}

func TestFastDoesNotAllocateForCleanStrings(t *testing.T) {
	s := mustParse(t, "203.0.113.7", "2001:db8:0:0:1::5")
	clean := []byte("a body with <title>Example</title> and 198.51.100.1 in it, but not the probe's address")
	b64 := []byte(base64.StdEncoding.EncodeToString(clean))
	if n := testing.AllocsPerRun(100, func() { s.StringValue(clean); s.Key(clean); s.StringValue(b64) }); n > 0 {
		t.Errorf("%v allocations per clean string", n)
	}
}

// FuzzStringValue holds the fast path to the reference scrubbing of JSON
// and Value.
func FuzzStringValue(f *testing.F) {
	for _, c := range fastCases {
		f.Add(c)
	}
	s, err := Parse("203.0.113.7", "2001:db8:0:0:1::5", "fe80::1")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if got, want := string(s.StringValue([]byte(in))), s.scrubValue(in); got != want {
			t.Fatalf("StringValue(%q) = %q, scrubValue gives %q", in, got, want)
		}
		if got, want := string(s.Key([]byte(in))), s.String(in); got != want {
			t.Fatalf("Key(%q) = %q, String gives %q", in, got, want)
		}
	})
}
