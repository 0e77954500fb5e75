package testlists

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadFileTakesAURLColumnAlone(t *testing.T) {
	path := writeTemp(t, "mine.txt", "# sites my neighbours cannot open\n"+
		"https://www.bbc.com/persian/\n\n"+
		"  http://Cappuccinomag.com/  \n"+
		"www.example.org\n"+
		"https://twitter.com/\n")
	entries, errs := ReadFile(path)
	if len(entries) != 3 {
		t.Fatalf("entries %+v", entries)
	}
	if entries[1].URL != "http://Cappuccinomag.com/" || entries[1].Line != 4 {
		t.Errorf("second entry %+v", entries[1])
	}
	if len(errs) != 1 || !strings.HasSuffix(errs[0].Error(),
		`mine.txt:5: the URL has no scheme: "www.example.org" (fix: write it as https://www.example.org or http://…)`) {
		t.Errorf("errors: %v", errs)
	}
}

func TestReadFileUsesTheHeaderNames(t *testing.T) {
	path := writeTemp(t, "mine.csv", "\xef\xbb\xbfnotes,URL,category_code\n"+
		"my bank,https://bank.example.com/,COMM\n"+
		"old code,https://news.example.com/,fexp\n"+
		"typo,https://x.example.com/,NWES\n"+
		"no category,https://y.example.com/\n")
	entries, errs := ReadFile(path)
	if len(entries) != 4 {
		t.Fatalf("entries %+v", entries)
	}
	want := []struct{ url, cat, notes string }{
		{"https://bank.example.com/", "COMM", "my bank"}, {"https://news.example.com/", "NEWS", "old code"},
		{"https://x.example.com/", "NWES", "typo"}, {"https://y.example.com/", "", "no category"},
	}
	for i, w := range want {
		if e := entries[i]; e.URL != w.url || e.CategoryCode != w.cat || e.Notes != w.notes {
			t.Errorf("entry %d: %+v, want %+v", i, e, w)
		}
	}
	if len(errs) != 2 {
		t.Fatalf("errors: %v", errs)
	}
	for i, want := range []string{
		"mine.csv:3: warning: FEXP is a legacy category code; counted as NEWS (fix: write NEWS)",
		`mine.csv:4: warning: category_code "NWES" is not in the category legend`,
	} {
		var p *Problem
		if !errors.As(errs[i], &p) || p.Severity != Warning || !strings.Contains(errs[i].Error(), want) {
			t.Errorf("error %d: %v, want %s", i, errs[i], want)
		}
	}
}

// TestReadFileReadsUpstreamLists: a volunteer may also point the probe at
// an upstream list.
func TestReadFileReadsUpstreamLists(t *testing.T) {
	entries, errs := ReadFile(filepath.Join(excerpts, "ir.csv"))
	if len(errs) > 0 || len(entries) != wantRows["ir"] {
		t.Fatalf("%d entries, errors %v", len(entries), errs)
	}
	if entries[0].CategoryDescription != "Culture" || entries[0].DateAdded != "2014-04-15" {
		t.Errorf("first entry %+v", entries[0])
	}
}

func TestReadFileMissing(t *testing.T) {
	_, errs := ReadFile(filepath.Join(t.TempDir(), "nope.csv"))
	if len(errs) != 1 || !errors.Is(errs[0], os.ErrNotExist) {
		t.Fatalf("errors: %v", errs)
	}
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o644) }
