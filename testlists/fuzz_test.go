package testlists

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzRead: the strict reader never panics, every entry it returns has a
// valid URL and a line number, and a list without problems survives
// Write and Read unchanged.
func FuzzRead(f *testing.F) {
	f.Add([]byte("\xef\xbb\xbf" + strings.Join(Header, ",") + "\nhttps://a.org/,NEWS,News Media,2014-04-15,\xff,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, ps := Read(bytes.NewReader(data), "f.csv")
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, p := range ps {
			if p.Line < 0 || p.Line > lines || p.Msg == "" {
				t.Fatalf("bad problem %+v in %d lines", p, lines)
			}
		}
		for _, e := range entries {
			if _, err := Normalize(e.URL); err != nil || e.Line < 1 || e.Line > lines {
				t.Fatalf("bad entry %+v: %v", e, err)
			}
		}
		if len(ps) > 0 {
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, entries); err != nil {
			t.Fatal(err)
		}
		again, ps := Read(&buf, "again.csv")
		if len(ps) > 0 || len(again) != len(entries) {
			t.Fatalf("re-read: %d entries (was %d), problems %v", len(again), len(entries), ps)
		}
		for i := range again {
			a, b := again[i], entries[i]
			a.Line, b.Line = 0, 0
			if a != b {
				t.Fatalf("entry %d changed:\n%+v\n%+v", i, b, a)
			}
		}
	})
}

// FuzzReadFile: the lenient reader never panics and returns only entries
// with a usable URL.
func FuzzReadFile(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, _ := parse(bytes.NewReader(data), "f.csv", true)
		for _, e := range entries {
			if _, err := Normalize(e.URL); err != nil {
				t.Fatalf("entry with a bad URL %q: %v", e.URL, err)
			}
		}
	})
}

// FuzzNormalize: normalising is idempotent and its output is a URL the
// strict reader accepts.
func FuzzNormalize(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		n, err := Normalize(raw)
		if err != nil {
			return
		}
		again, err := Normalize(n)
		if err != nil || again != n {
			t.Fatalf("Normalize(%q) = %q, but Normalize(%q) = %q, %v", raw, n, n, again, err)
		}
		if strings.ContainsAny(n, " #\t\n") {
			t.Fatalf("Normalize(%q) = %q has a space or a fragment", raw, n)
		}
		if _, p := parseListURL(n, true); p != nil {
			t.Fatalf("Normalize(%q) = %q, which the reader rejects: %v", raw, n, p)
		}
	})
}
