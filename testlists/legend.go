package testlists

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Legend file names in a test-lists checkout.
const (
	CategoryLegendFile       = "00-LEGEND-new_category_codes.csv"
	LegacyCategoryLegendFile = "00-LEGEND-category_codes.csv"
	CountryLegendFile        = "00-LEGEND-country_codes.csv"
)

// Category is one category of the legend.
type Category struct {
	Code        string // "NEWS"
	Description string // "News Media": what category_description must say
	Replaces    []string
}

// Legend is what the 00-LEGEND files say: the category codes (and the
// legacy codes they replace) and the country names.
type Legend struct {
	Categories map[string]Category
	// Legacy maps an old code to the new one that replaces it ("FEXP" →
	// "NEWS"); LegacyNames has the old codes' names when the legacy legend
	// was read.
	Legacy      map[string]string
	LegacyNames map[string]string
	// Countries maps an upper-case country code to its name; empty when
	// the country legend was not read.
	Countries map[string]string
}

// builtinLegend is used where no legend file is at hand (a volunteer's
// local list): the 31 category codes of the Citizen Lab's current
// legend with their short names (facts, not list content), and the
// legacy codes each replaces.
var builtinLegend = func() *Legend {
	lg := &Legend{Categories: map[string]Category{}, Legacy: map[string]string{}}
	for _, c := range []struct{ code, desc, replaces string }{
		{"ALDR", "Alcohol & Drugs", ""}, {"REL", "Religion", ""}, {"PORN", "Pornography", ""},
		{"PROV", "Provocative Attire", ""}, {"POLR", "Political Criticism", "POLT"},
		{"HUMR", "Human Rights Issues", "MINR WOMR MINF"}, {"ENV", "Environment", ""},
		{"MILX", "Terrorism and Militants", ""}, {"HATE", "Hate Speech", ""},
		{"NEWS", "News Media", "FEXP"}, {"XED", "Sex Education", ""},
		{"PUBH", "Public Health", "SELFHARM"}, {"GMB", "Gambling", ""},
		{"ANON", "Anonymization and circumvention tools", ""}, {"DATE", "Online Dating", ""},
		{"GRP", "Social Networking", ""}, {"LGBT", "LGBT", "GAYL"},
		{"FILE", "File-sharing", "P2P SFTWR WRZ"}, {"HACK", "Hacking Tools", ""},
		{"COMT", "Communication Tools", "VOIP EMAIL TRNS MSG"}, {"MMED", "Media sharing", ""},
		{"HOST", "Hosting and Blogging Platforms", "BLGSERV CLOUD"}, {"SRCH", "Search Engines", ""},
		{"GAME", "Gaming", ""}, {"CULTR", "Culture", "HAL"}, {"ECON", "Economics", "DEV"},
		{"GOVT", "Government", "FREL USMIL"}, {"COMM", "E-commerce", ""},
		{"CTRL", "Control content", "CACH"}, {"IGO", "Intergovernmental Organizations", ""},
		{"MISC", "Miscellaneous content", "KWRD"},
	} {
		lg.addCategory(c.code, c.desc, c.code+" "+c.replaces)
	}
	return lg
}()

// BuiltinCategories returns the category codes known without a legend
// file, sorted.
func BuiltinCategories() []string {
	return sortedCodes(builtinLegend)
}

func (lg *Legend) addCategory(code, desc, replaces string) {
	c := Category{Code: code, Description: desc}
	for _, old := range strings.Fields(replaces) {
		if old == code {
			continue
		}
		c.Replaces = append(c.Replaces, old)
		lg.Legacy[old] = code
	}
	lg.Categories[code] = c
}

// CanonicalCategory maps a code as a probe or volunteer writes it (any
// case, possibly a legacy code) to the current code; unknown codes come
// back upper-cased, unchanged.
func (lg *Legend) CanonicalCategory(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if n, ok := lg.Legacy[code]; ok {
		return n
	}
	return code
}

// readLegends reads the legend files of dir. A missing category legend
// falls back to the built-in codes with a warning; a missing country
// legend only disables the country-name checks.
func readLegends(dir string, ps *[]*Problem) *Legend {
	lg := &Legend{Categories: map[string]Category{}, Legacy: map[string]string{}, Countries: map[string]string{}}
	if !readLegendFile(filepath.Join(dir, CategoryLegendFile), []string{"Category Description", "New Code", "Replaces old code(s)", "Description"}, ps,
		func(r []string) { lg.addCategory(strings.TrimSpace(r[1]), r[0], r[2]) }) {
		*ps = append(*ps, &Problem{File: filepath.Join(dir, CategoryLegendFile), Severity: Warning,
			Msg: "no category legend; checking categories against the built-in codes", Fix: "point at the lists/ folder of a citizenlab/test-lists checkout"})
		lg.Categories, lg.Legacy = builtinLegend.Categories, builtinLegend.Legacy
	}
	lg.LegacyNames = map[string]string{}
	readLegendFile(filepath.Join(dir, LegacyCategoryLegendFile), []string{"CategoryCode", "CategoryName"}, ps,
		func(r []string) { lg.LegacyNames[strings.TrimSpace(r[0])] = r[1] })
	readLegendFile(filepath.Join(dir, CountryLegendFile), []string{"CountryCode", "CountryName"}, ps,
		func(r []string) { lg.Countries[strings.ToUpper(strings.TrimSpace(r[0]))] = r[1] })
	return lg
}

// readLegendFile reads one legend with the given header, calling add for
// each row. It reports false when the file does not exist.
func readLegendFile(path string, header []string, ps *[]*Problem, add func([]string)) bool {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return false
	}
	if err != nil {
		*ps = append(*ps, &Problem{File: path, Severity: Error, Msg: err.Error()})
		return false
	}
	defer f.Close()
	recs, p := readCSV(io.LimitReader(f, MaxFileSize), path)
	if p != nil {
		*ps = append(*ps, p)
		return true
	}
	if len(recs) == 0 || !slices.Equal(recs[0].fields, header) {
		*ps = append(*ps, &Problem{File: path, Line: 1, Severity: Error,
			Msg: "unexpected legend header", Fix: "the first line must be " + strings.Join(header, ",")})
		return true
	}
	for _, r := range recs[1:] {
		if len(r.fields) != len(header) {
			*ps = append(*ps, &Problem{File: path, Line: r.line, Severity: Error,
				Msg: fmt.Sprintf("the row has %d columns, expected %d", len(r.fields), len(header))})
			continue
		}
		add(r.fields)
	}
	return true
}

// record is one CSV record and its line.
type record struct {
	line   int
	fields []string
}

// readCSV reads a small CSV file whole (a legend), stopping at the first
// syntax error.
func readCSV(r io.Reader, file string) ([]record, *Problem) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &Problem{File: file, Severity: Error, Msg: "cannot read: " + err.Error()}
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	cr.FieldsPerRecord = -1
	var recs []record
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return nil, &Problem{File: file, Severity: Error, Msg: "broken CSV: " + err.Error()}
		}
		line, _ := cr.FieldPos(0)
		recs = append(recs, record{line, rec})
	}
}
