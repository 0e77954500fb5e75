package testlists

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxFileSize bounds one list file; the largest upstream list is 150 KiB.
const MaxFileSize = 32 << 20

// ErrTooLarge is reported for a file larger than MaxFileSize.
var ErrTooLarge = errors.New("file larger than 32 MiB")

// Read parses a list in the Citizen Lab format, strictly, as upstream's CI
// checks it: the exact header, six columns, a valid http(s) URL with a path,
// a valid date_added, no tabs, newlines or backslashes in source and notes.
// name is the file name used in problems. Rows with an error are left out
// of the entries; every problem carries its line number. Categories are
// checked against a legend by Set loading (LoadDir) or Check.
func Read(r io.Reader, name string) ([]Entry, []*Problem) {
	return parse(r, name, false)
}

// ReadFile reads a probe's local list leniently, for a volunteer's
// hand-made file: the header is optional, columns may come in any order
// when the header names them, a single url column is enough, blank lines
// and lines starting with # are skipped, dates and categories may be
// missing. Rows whose URL is unusable are left out and reported with their
// line number; problems that do not stop the measurement (an unknown
// category, an odd date) are reported as warnings (*Problem, Severity
// Warning) and the row kept.
func ReadFile(path string) ([]Entry, []error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, []error{fmt.Errorf("read test list: %w", err)}
	}
	defer f.Close()
	entries, ps := parse(f, path, true)
	cps := &problems{file: filepath.ToSlash(path)}
	entries = checkCategories(entries, builtinLegend, cps, true)
	var errs []error
	for _, p := range append(ps, cps.list...) {
		errs = append(errs, p)
	}
	return entries, errs
}

// ReadPath reads a list file strictly (see Read).
func ReadPath(path string) ([]Entry, []*Problem) {
	f, err := os.Open(path)
	if err != nil {
		return nil, []*Problem{{File: path, Severity: Error, Msg: err.Error()}}
	}
	defer f.Close()
	return Read(f, path)
}

// parse reads the CSV. It never panics and always terminates: every
// iteration of csv.Reader consumes input.
func parse(r io.Reader, file string, lenient bool) ([]Entry, []*Problem) {
	ps := &problems{file: filepath.ToSlash(file)}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		ps.add(0, Error, "cannot read: "+err.Error(), "")
		return nil, ps.list
	}
	if len(data) > MaxFileSize {
		ps.add(0, Error, ErrTooLarge.Error(), "split the list")
		return nil, ps.list
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM from spreadsheet programs
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	if lenient {
		cr.Comment = '#'
		cr.TrimLeadingSpace = true
	}
	var (
		entries []Entry
		cols    columns
		first   = true
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line, err = pe.StartLine, pe.Err
			}
			ps.add(line, Error, "broken CSV: "+err.Error(),
				`put a field that contains a comma or a quote in double quotes, and double the quotes inside it ("")`)
			first = false
			continue
		}
		line, _ := cr.FieldPos(0)
		if first {
			first = false
			var isHeader, ok bool
			cols, isHeader, ok = headerColumns(rec, lenient, line, ps)
			if !ok {
				return nil, ps.list
			}
			if isHeader {
				continue
			}
		}
		if e, ok := row(rec, cols, line, lenient, ps); ok {
			entries = append(entries, e)
		}
	}
	if first && !lenient {
		ps.add(0, Error, "the file is empty", "start it with the header line "+strings.Join(Header, ","))
	}
	return entries, ps.list
}

// columns maps each field of Header to its column index, -1 when absent.
type columns [6]int

var positional = columns{0, 1, 2, 3, 4, 5}

// headerColumns reads the first record. It returns the column map, whether
// the record was a header, and false when the file cannot be read.
func headerColumns(rec []string, lenient bool, line int, ps *problems) (cols columns, isHeader, ok bool) {
	looksLikeData := len(rec) > 0 && strings.Contains(rec[0], "://")
	if !lenient {
		if slices.Equal(rec, Header) {
			return positional, true, true
		}
		if looksLikeData {
			ps.add(line, Error, "the header line is missing", "add "+strings.Join(Header, ",")+" as the first line")
			return positional, false, true
		}
		ps.add(line, Error, fmt.Sprintf("this is not a test list in the Citizen Lab format: the header is %q",
			strings.Join(rec, ",")), "the first line must be "+strings.Join(Header, ","))
		return cols, false, false
	}
	if looksLikeData || !slices.ContainsFunc(rec, func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), "url") }) {
		return positional, false, true
	}
	var c columns
	for i := range c {
		c[i] = -1
	}
	for i, name := range rec {
		if j := slices.Index(Header, strings.ToLower(strings.TrimSpace(name))); j >= 0 && c[j] < 0 {
			c[j] = i
		}
	}
	return c, true, true
}

// row turns one record into an entry, reporting what is wrong.
func row(rec []string, cols columns, line int, lenient bool, ps *problems) (Entry, bool) {
	if !lenient && len(rec) != len(Header) {
		ps.add(line, Error, fmt.Sprintf("the row has %d columns, expected %d (%s)", len(rec), len(Header), strings.Join(Header, ",")),
			`put a field that contains a comma in double quotes`)
		return Entry{}, false
	}
	field := func(i int) string {
		if cols[i] < 0 || cols[i] >= len(rec) {
			return ""
		}
		return rec[cols[i]]
	}
	e := Entry{
		URL: field(0), CategoryCode: field(1), CategoryDescription: field(2),
		DateAdded: field(3), Source: field(4), Notes: field(5), Line: line,
	}
	for _, f := range rec {
		if !utf8.ValidString(f) {
			ps.add(line, Error, "the row is not valid UTF-8", "save the file as UTF-8")
			return Entry{}, false
		}
	}
	if lenient {
		e.URL = strings.TrimSpace(e.URL)
		e.CategoryCode = strings.ToUpper(strings.TrimSpace(e.CategoryCode))
		e.DateAdded = strings.TrimSpace(e.DateAdded)
	}
	if _, p := parseListURL(e.URL, !lenient); p != nil {
		ps.add(line, Error, fmt.Sprintf("%s: %q", p.msg, e.URL), p.fix)
		return Entry{}, false
	}
	e.key, _ = Normalize(e.URL)
	ok := true
	if msg, fix := checkDate(e.DateAdded, lenient); msg != "" {
		sev := Error
		if lenient {
			sev = Warning
		} else {
			ok = false
		}
		ps.add(line, sev, msg, fix)
	}
	if !lenient {
		for _, f := range [...]struct{ name, v string }{{"source", e.Source}, {"notes", e.Notes}} {
			if strings.ContainsAny(f.v, "\r\n\t\\") {
				ps.add(line, Error, fmt.Sprintf("the %s column contains a tab, a line break or a backslash", f.name), "keep it on one line, without tabs or backslashes")
				ok = false
			}
		}
	}
	return e, ok
}

// checkDate checks date_added; it returns a message and a fix, or "".
func checkDate(d string, lenient bool) (string, string) {
	if d == "" && lenient {
		return "", ""
	}
	t, err := time.Parse(DateLayout, d)
	if err != nil || t.Format(DateLayout) != d {
		return fmt.Sprintf("date_added %q is not a date as YYYY-MM-DD", d), "write it like 2024-03-31"
	}
	return "", ""
}
