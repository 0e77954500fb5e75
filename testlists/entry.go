package testlists

import "time"

// Header is the first line of every list in the Citizen Lab format.
var Header = []string{"url", "category_code", "category_description", "date_added", "source", "notes"}

// DateLayout is the layout of date_added (ISO 8601 calendar date).
const DateLayout = "2006-01-02"

// GlobalName is the name of the list every probe measures, whatever its
// country; GlobalCountryCode is the country_code check-in gives its URLs
// (OONI's convention).
const (
	GlobalName        = "global"
	GlobalCountryCode = "XX"
)

// Entry is one row of a test list.
type Entry struct {
	// URL is the URL as the list writes it (surrounding spaces removed).
	// Probes measure exactly this string, so that measurements join with
	// OONI's on `input`; Key() is the canonical form for comparisons.
	URL                 string
	CategoryCode        string
	CategoryDescription string
	DateAdded           string // YYYY-MM-DD; may be "" in a volunteer's local list
	Source              string
	Notes               string
	// Line is where the row is in its file (the header is line 1); 0 for
	// entries built in code.
	Line int

	key string // Normalize(URL), set by the readers
}

// Key is the canonical form of the URL (see Normalize): two entries with
// the same key make the same request. It is "" when the URL is invalid.
func (e *Entry) Key() string {
	if e.key == "" {
		e.key, _ = Normalize(e.URL)
	}
	return e.key
}

// Added parses DateAdded; the zero time when it is empty or malformed.
func (e *Entry) Added() time.Time {
	t, _ := time.Parse(DateLayout, e.DateAdded)
	return t
}

// List is one file of test lists: "global", a country ("ir") or a region
// ("cis").
type List struct {
	// Name is the file's name without ".csv", lower case.
	Name    string
	Path    string
	Entries []Entry
}

// IsCountry reports whether the list's name is a two-letter country code,
// which check-in matches against a probe's country.
func (l *List) IsCountry() bool {
	return len(l.Name) == 2 && isLower(l.Name[0]) && isLower(l.Name[1])
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
