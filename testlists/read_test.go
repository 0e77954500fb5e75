package testlists

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const excerpts = "testdata/lists"

// wantRows is how many rows each excerpt has (see testdata/README.md).
var wantRows = map[string]int{
	"global": 103, "ir": 60, "cn": 66, "ru": 61, "by": 21, "pk": 55, "id": 13,
	"kw": 13, "rs": 9, "cis": 10, "mr": 6, "es": 8, "kp": 1,
}

func TestLoadDirReadsTheRealExcerpts(t *testing.T) {
	set, ps := LoadDir(excerpts)
	for _, p := range ps {
		t.Errorf("unexpected problem: %v", p)
	}
	if len(set.Lists) != len(wantRows) {
		t.Errorf("read %d lists %v, want %d (official/ must be skipped)", len(set.Lists), set.Names(), len(wantRows))
	}
	total := 0
	for name, want := range wantRows {
		l := set.Lists[name]
		if l == nil {
			t.Errorf("list %s missing", name)
			continue
		}
		if len(l.Entries) != want {
			t.Errorf("%s: %d rows, want %d", name, len(l.Entries), want)
		}
		total += len(l.Entries)
	}
	if total != 426 {
		t.Errorf("%d rows in all, want 426", total)
	}
	if n := len(set.Legend.Categories); n != 31 {
		t.Errorf("legend has %d categories, want 31", n)
	}
	if got := set.Legend.Legacy["FEXP"]; got != "NEWS" {
		t.Errorf("legacy FEXP maps to %q, want NEWS", got)
	}
	if got := set.Legend.Countries["IR"]; got != "Islamic Republic of Iran" {
		t.Errorf("country IR is %q", got)
	}
	first := set.Lists["global"].Entries[0]
	want := Entry{URL: "https://4genderjustice.org/", CategoryCode: "HUMR", CategoryDescription: "Human Rights Issues",
		DateAdded: "2014-04-15", Source: "citizenlab", Notes: "Updated by OONI on 2017-02-14", Line: 2, key: "https://4genderjustice.org/"}
	if first != want {
		t.Errorf("first global row:\n got %+v\nwant %+v", first, want)
	}
}

func TestLoadDirAcceptsACheckoutRoot(t *testing.T) {
	root := t.TempDir()
	copyDir(t, excerpts, filepath.Join(root, "lists"))
	if err := os.WriteFile(filepath.Join(root, "README.md"), []byte("# test-lists\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	set, ps := LoadDir(root)
	if len(Errors(ps)) > 0 || set.Dir != filepath.Join(root, "lists") || len(set.Lists) != len(wantRows) {
		t.Fatalf("root layout: dir %s, %d lists, problems %v", set.Dir, len(set.Lists), ps)
	}
}

func TestOfficialListsAreRejectedWithTheirHeader(t *testing.T) {
	_, ps := ReadPath(filepath.Join(excerpts, "official/it/aams.csv"))
	if len(ps) != 1 || ps[0].Line != 1 || !strings.Contains(ps[0].Error(),
		`aams.csv:1: this is not a test list in the Citizen Lab format: the header is "url,name,category_code,`) {
		t.Fatalf("problems: %v", ps)
	}
}

// TestWriteReproducesTheRealFiles: reading then writing an upstream file
// gives it back byte for byte.
func TestWriteReproducesTheRealFiles(t *testing.T) {
	for name := range wantRows {
		path := filepath.Join(excerpts, name+".csv")
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		entries, ps := Read(bytes.NewReader(raw), path)
		if len(ps) > 0 {
			t.Fatalf("%s: %v", name, ps)
		}
		var buf bytes.Buffer
		if err := Write(&buf, entries); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), raw) {
			t.Errorf("%s: written file differs from the original", name)
		}
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
