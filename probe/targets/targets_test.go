package targets

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestReadCitizenLabCSV(t *testing.T) {
	ts, err := LoadFile("testdata/citizenlab-ir-excerpt.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 20 {
		t.Fatalf("got %d targets, want the 20 of the excerpt", len(ts))
	}
	if ts[0] != (Target{Input: "http://anidalton.blogfa.com/", Category: "CULTR"}) {
		t.Errorf("first target = %+v", ts[0])
	}
	if ts[10].Category != "NEWS" || ts[10].Input != "http://www.chekhabar.com/" {
		t.Errorf("11th target = %+v", ts[10])
	}
}

func TestReadURLList(t *testing.T) {
	in := "\ufeff# my list\nhttps://example.org/\n\n  http://example.com/a?b=c  \nexample.net\n1.1.1.1:853\n"
	ts, err := Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://example.org/", "http://example.com/a?b=c", "example.net", "1.1.1.1:853"}
	if len(ts) != len(want) {
		t.Fatalf("got %v", ts)
	}
	for i, w := range want {
		if ts[i].Input != w || ts[i].Category != "" {
			t.Errorf("target %d = %+v, want %q", i, ts[i], w)
		}
	}
}

func TestReadRejects(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "# nothing\n\n", "the list has no targets"},
		{"space inside", "https://exa mple.org/\n", `line 1: input "https://exa mple.org/" holds a space`},
		{"control char", "https://example.org/\x01\n", "line 1: input"},
		{"csv with ftp", "url,category_code\nftp://example.org/,NEWS\n", `line 2: "ftp://example.org/": only http and https`},
		{"csv without host", "url,category_code\nhttp:///path,NEWS\n", "line 2: \"http:///path\" has no host name"},
		{"csv with credentials", "url,category_code\nhttp://u:p@example.org/,NEWS\n", "holds a user name or password"},
		{"csv bad quoting", "url,category_code\n\"https://a/,NEWS\n", "CSV: "},
		{"csv header only", "url,category_code\n", "the list has no targets"},
		{"line too long", strings.Repeat("a", maxLineBytes+10) + "\n", "reading the list: bufio.Scanner: token too long"},
		{"input too long", "https://example.org/" + strings.Repeat("a", MaxInputLen) + "\n", "line 1: input longer than 2048 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestReadTooLarge(t *testing.T) {
	line := "https://example.org/" + strings.Repeat("a", 1000) + "\n"
	big := strings.NewReader(strings.Repeat(line, MaxListBytes/len(line)+2))
	_, err := Read(big)
	if !errors.Is(err, errTooLarge) {
		t.Fatalf("err = %v, want errTooLarge", err)
	}
}

func TestLoadFileMissing(t *testing.T) {
	_, err := LoadFile("testdata/does-not-exist.csv")
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "test list: ") {
		t.Fatalf("err = %v", err)
	}
}

func TestFromInputs(t *testing.T) {
	ts, err := FromInputs([]string{" https://example.org/ ", "example.com"})
	if err != nil || len(ts) != 2 || ts[0].Input != "https://example.org/" {
		t.Fatalf("got %v, %v", ts, err)
	}
	if _, err := FromInputs([]string{""}); err == nil || err.Error() != "-i: empty input" {
		t.Fatalf("empty -i: err = %v", err)
	}
}

func TestDedupeAndOptOut(t *testing.T) {
	ts := []Target{
		{"https://a/", "NEWS"}, {"https://b/", "porn"}, {"https://a/", "HUMR"},
		{"https://c/", ""}, {"https://d/", "LGBT"},
	}
	ts = Dedupe(ts)
	if len(ts) != 4 || ts[0].Category != "NEWS" {
		t.Fatalf("Dedupe = %v", ts)
	}
	// Categories are compared without regard to case; a target without
	// a category is kept.
	ts[1].Category = "PORN"
	kept, dropped := OptOut(ts, []string{"porn", " LGBT"})
	if dropped != 2 || len(kept) != 2 || kept[0].Input != "https://a/" || kept[1].Input != "https://c/" {
		t.Fatalf("OptOut = %v, %d", kept, dropped)
	}
}

func TestCheckCategory(t *testing.T) {
	for code, ok := range map[string]bool{"NEWS": true, "xed": true, "N": false, "NEWS1": false, "ABCDEFGHIJK": false, "": false} {
		if CheckCategory(code) != ok {
			t.Errorf("CheckCategory(%q) = %v", code, !ok)
		}
	}
}

func FuzzRead(f *testing.F) {
	seed, _ := os.ReadFile("testdata/citizenlab-ir-excerpt.csv")
	f.Add(seed)
	f.Add([]byte("https://example.org/\n# c\nexample.com\n"))
	f.Add([]byte("url\n\"https://a/\"\"\",x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := Read(strings.NewReader(string(b)))
		if err != nil {
			return
		}
		for _, tg := range ts {
			if CheckInput(tg.Input) != nil {
				t.Fatalf("Read returned an invalid input %q", tg.Input)
			}
		}
	})
}
