package testlists

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// malformed rows, each built from a real row of ir.csv, and the exact
// problem a list maintainer reads.
var malformedCases = []struct {
	name, row, want string
}{
	{"url with a space", `http://cappuccino mag.com/,CULTR,Culture,2014-04-15,citizenlab,`,
		`ir.csv:3: the URL contains a space: "http://cappuccino mag.com/" (fix: percent-encode it as %20, or remove it)`},
	{"no scheme", `cappuccinomag.com/,CULTR,Culture,2014-04-15,citizenlab,`,
		`ir.csv:3: the URL has no scheme: "cappuccinomag.com/" (fix: write it as https://cappuccinomag.com/ or http://…)`},
	{"ftp", `ftp://cappuccinomag.com/,CULTR,Culture,2014-04-15,citizenlab,`,
		`ir.csv:3: the scheme "ftp" is not http or https: "ftp://cappuccinomag.com/" (fix: test lists hold web addresses: start with http:// or https://)`},
	{"no path", `http://cappuccinomag.com,CULTR,Culture,2014-04-15,citizenlab,`,
		`ir.csv:3: the URL has no path: "http://cappuccinomag.com" (fix: add a trailing slash: http://cappuccinomag.com/)`},
	{"bad host", `http://cappuccino_mag.com/,CULTR,Culture,2014-04-15,citizenlab,`,
		`ir.csv:3: "cappuccino_mag.com" is not a valid host name (idna: disallowed rune U+005F): "http://cappuccino_mag.com/" (fix: a host name has only letters, digits, hyphens and dots)`},
	{"bad port", `http://cappuccinomag.com:0/,CULTR,Culture,2014-04-15,citizenlab,`,
		`ir.csv:3: the port "0" is not between 1 and 65535: "http://cappuccinomag.com:0/" (fix: remove the :port or correct it)`},
	{"bad escape", `http://cappuccinomag.com/100%/,CULTR,Culture,2014-04-15,citizenlab,`,
		`ir.csv:3: not a valid URL: invalid URL escape "%/": "http://cappuccinomag.com/100%/" (fix: check the characters after the host; escape % as %25)`},
	{"impossible date", `http://cappuccinomag.com/,CULTR,Culture,2014-02-30,citizenlab,`,
		`ir.csv:3: date_added "2014-02-30" is not a date as YYYY-MM-DD (fix: write it like 2024-03-31)`},
	{"date in another format", `http://cappuccinomag.com/,CULTR,Culture,15/04/2014,citizenlab,`,
		`ir.csv:3: date_added "15/04/2014" is not a date as YYYY-MM-DD (fix: write it like 2024-03-31)`},
	{"unknown category", `http://cappuccinomag.com/,COFFEE,Culture,2014-04-15,citizenlab,`,
		`ir.csv:3: category_code "COFFEE" is not in the category legend (fix: use one of ALDR ANON COMM COMT CTRL CULTR DATE ECON ENV FILE GAME GMB GOVT GRP HACK HATE HOST HUMR IGO LGBT MILX MISC MMED NEWS POLR PORN PROV PUBH REL SRCH XED)`},
	{"legacy category", `http://cappuccinomag.com/,HAL,"History, arts and literature",2014-04-15,citizenlab,`,
		`ir.csv:3: HAL (History, arts and literature) is a legacy category code (fix: use CULTR,Culture)`},
	{"description differs", `http://cappuccinomag.com/,CULTR,Coffee culture,2014-04-15,citizenlab,`,
		`ir.csv:3: category_description "Coffee culture" does not match CULTR in the legend (fix: write "Culture")`},
	{"unquoted comma", `http://cappuccinomag.com/,CULTR,Culture,2014-04-15,citizenlab,blocked, site about coffee`,
		`ir.csv:3: the row has 7 columns, expected 6 (url,category_code,category_description,date_added,source,notes) (fix: put a field that contains a comma in double quotes)`},
	{"stray quote", `http://cappuccinomag.com/,CULTR,Culture,2014-04-15,citizenlab,the "best" coffee`,
		`ir.csv:3: broken CSV: bare " in non-quoted-field (fix: put a field that contains a comma or a quote in double quotes, and double the quotes inside it (""))`},
	{"tab in notes", "http://cappuccinomag.com/,CULTR,Culture,2014-04-15,citizenlab,\"a\tb\"",
		`ir.csv:3: the notes column contains a tab, a line break or a backslash (fix: keep it on one line, without tabs or backslashes)`},
	{"duplicate", `http://anidalton.blogfa.com/,CULTR,Culture,2014-04-15,citizenlab,`,
		`ir.csv:3: http://anidalton.blogfa.com/ is already on line 2 (fix: remove one of the two rows)`},
	{"already global", `https://4genderjustice.org/,HUMR,Human Rights Issues,2014-04-15,citizenlab,`,
		`ir.csv:3: https://4genderjustice.org/ is already in global.csv (line 2), which every probe measures (fix: remove this row, or remove it from the global list if it matters only here)`},
}

// TestMalformedRowsAreReportedWithLineAndFix writes each malformed row
// into a copy of the real lists and checks the exact problem.
func TestMalformedRowsAreReportedWithLineAndFix(t *testing.T) {
	for _, tc := range malformedCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, excerpts, dir)
			ir := strings.Join(Header, ",") + "\nhttp://anidalton.blogfa.com/,CULTR,Culture,2014-04-15,citizenlab,\n" +
				tc.row + "\nhttp://webneveshteha.com/,POLR,Political Criticism,2014-04-15,citizenlab,\n"
			if err := os.WriteFile(filepath.Join(dir, "ir.csv"), []byte(ir), 0o644); err != nil {
				t.Fatal(err)
			}
			set, ps := LoadDir(dir)
			if len(ps) != 1 {
				t.Fatalf("want one problem, got %v", ps)
			}
			if got := strings.TrimPrefix(ps[0].Error(), filepath.ToSlash(dir)+"/"); got != tc.want {
				t.Errorf("\n got %s\nwant %s", got, tc.want)
			}
			if n := len(set.Lists["ir"].Entries); n != 2 {
				t.Errorf("%d rows kept, want the 2 good ones", n)
			}
		})
	}
}

func TestFileLevelProblems(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"empty", "", "x.csv: the file is empty (fix: start it with the header line url,category_code,category_description,date_added,source,notes)"},
		{"no header", "https://4genderjustice.org/,HUMR,Human Rights Issues,2014-04-15,citizenlab,\n",
			"x.csv:1: the header line is missing (fix: add url,category_code,category_description,date_added,source,notes as the first line)"},
		{"other header", "URL,Category\n", `x.csv:1: this is not a test list in the Citizen Lab format: the header is "URL,Category" (fix: the first line must be url,category_code,category_description,date_added,source,notes)`},
		{"not utf-8", strings.Join(Header, ",") + "\nhttps://a.org/,NEWS,News Media,2014-04-15,\xff,\n",
			"x.csv:2: the row is not valid UTF-8 (fix: save the file as UTF-8)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := Read(strings.NewReader(tc.content), "x.csv")
			if len(ps) != 1 || ps[0].Error() != tc.want {
				t.Errorf("\n got %v\nwant %s", ps, tc.want)
			}
		})
	}
}

// TestQuirksOfRealFilesAreAccepted: a BOM, CRLF line ends, blank lines and
// quoted fields, as spreadsheet programs write them.
func TestQuirksOfRealFilesAreAccepted(t *testing.T) {
	in := "\xef\xbb\xbf" + strings.Join(Header, ",") + "\r\n" +
		"https://ebuddy.com/,GRP,Social Networking,2014-04-15,citizenlab,\"Updated on 2022-02-21, website under construction\"\r\n" +
		"\r\n" +
		"https://www.dw.com/ru/беларусь/s-9500,NEWS,News Media,2020-08-10,,\r\n"
	entries, ps := Read(strings.NewReader(in), "x.csv")
	if len(ps) > 0 || len(entries) != 2 {
		t.Fatalf("entries %v, problems %v", entries, ps)
	}
	if entries[0].Notes != "Updated on 2022-02-21, website under construction" || entries[1].Line != 4 {
		t.Errorf("entries: %+v", entries)
	}
	if entries[1].Key() != "https://www.dw.com/ru/%D0%B1%D0%B5%D0%BB%D0%B0%D1%80%D1%83%D1%81%D1%8C/s-9500" {
		t.Errorf("key of the Cyrillic URL: %s", entries[1].Key())
	}
}

func TestValidateFileUsesItsFolder(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, excerpts, dir)
	ir := filepath.Join(dir, "ir.csv")
	if ps := ValidateFile(ir); len(ps) != 0 {
		t.Fatalf("a good file: %v", ps)
	}
	appendRow(t, ir, "https://4genderjustice.org/,HUMR,Human Rights Issues,2014-04-15,citizenlab,")
	appendRow(t, ir, "https://a.example.org/,HAL,Culture,2014-04-15,citizenlab,")
	ps := ValidateFile(ir)
	if len(ps) != 2 || !strings.Contains(ps[0].Error(), "ir.csv:62: https://4genderjustice.org/ is already in global.csv (line 2)") ||
		!strings.Contains(ps[1].Error(), "ir.csv:63: HAL (History, arts and literature) is a legacy category code") {
		t.Errorf("problems: %v", ps)
	}
	// Alone in a folder, a file is checked against the built-in codes.
	lone := filepath.Join(t.TempDir(), "xx.csv")
	if err := writeFile(lone, strings.Join(Header, ",")+"\nhttps://a.example.org/,COFFEE,Coffee,2014-04-15,me,\n"); err != nil {
		t.Fatal(err)
	}
	if ps := ValidateFile(lone); len(ps) != 1 || !strings.Contains(ps[0].Error(), `xx.csv:2: category_code "COFFEE" is not in the category legend`) {
		t.Errorf("lone file: %v", ps)
	}
}
