package analysis

import (
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"
)

// embedded holds OONI's blocking fingerprints and the bogus-NXDOMAIN list
// (see fingerprints/README.md for their provenance).
//
//go:embed fingerprints/*.csv fingerprints/*.conf
var embedded embed.FS

// File names inside a fingerprints directory.
const (
	dnsFingerprintsFile  = "fingerprints_dns.csv"
	httpFingerprintsFile = "fingerprints_http.csv"
	bogusNXDOMAINFile    = "bogus-nxdomain.china.conf"
)

// Fingerprint is one row of OONI's blocking-fingerprints: a DNS answer or
// an HTTP pattern that a censor's blockpage is known to produce.
type Fingerprint struct {
	Name string
	// Scope says who uses it: "nat" (a national filter), "isp", "inst"
	// (an institution), "prod" (a filtering product), "vbw" (a common
	// blocking value), "fp" (a page known NOT to be censorship).
	Scope string
	// Location is "dns", "body" or "header.<lower-case name>".
	Location string
	// PatternType is "full", "prefix", "contains" or "regexp".
	PatternType string
	Pattern     string
	// ExpectedCountries lists where it was seen (upper case, no "ZZ").
	ExpectedCountries []string
	Notes             string

	re *regexp.Regexp
}

// Confirms reports whether a match in probeCC proves blocking, with the
// rule of OONI's fastpath: the fingerprint is known in that country, or its
// scope is national or ISP-wide.
func (f *Fingerprint) Confirms(probeCC string) bool {
	cc := strings.ToUpper(probeCC)
	if cc != "" && cc != "ZZ" {
		for _, c := range f.ExpectedCountries {
			if c == cc {
				return true
			}
		}
	}
	return f.Scope == "nat" || f.Scope == "isp"
}

// FalsePositive reports whether the fingerprint marks a page that is known
// not to be a blockpage (a parked domain, a server's default page).
func (f *Fingerprint) FalsePositive() bool { return f.Scope == "fp" }

// match applies the pattern to a value (a DNS answer, a header value).
func (f *Fingerprint) match(v string) bool {
	switch f.PatternType {
	case "full":
		return v == f.Pattern
	case "prefix":
		return strings.HasPrefix(v, f.Pattern)
	case "contains":
		return strings.Contains(v, f.Pattern)
	case "regexp":
		return f.re.MatchString(v)
	}
	return false
}

var fingerprintColumns = []string{"name", "scope", "other_names", "location_found", "pattern_type",
	"pattern", "confidence_no_fp", "expected_countries", "source", "exp_url", "notes"}

// readFingerprints parses one blocking-fingerprints CSV file. It is strict:
// a missing column, an unknown pattern type or location, or a regexp that
// does not compile is an error naming the line.
func readFingerprints(r io.Reader, file string) ([]*Fingerprint, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(fingerprintColumns)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	for i, c := range fingerprintColumns {
		if strings.TrimSpace(header[i]) != c {
			return nil, fmt.Errorf("%s:1: column %d is %q, want %q (columns: %s)",
				file, i+1, header[i], c, strings.Join(fingerprintColumns, ","))
		}
	}
	var out []*Fingerprint
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		line, _ := cr.FieldPos(0)
		f := &Fingerprint{
			Name:        rec[0],
			Scope:       strings.TrimSpace(rec[1]),
			Location:    strings.ToLower(strings.TrimSpace(rec[3])),
			PatternType: strings.TrimSpace(rec[4]),
			Pattern:     rec[5],
			Notes:       rec[10],
		}
		for _, c := range strings.Split(rec[7], ",") {
			c = strings.ToUpper(strings.Trim(strings.TrimSpace(c), `"`))
			if c != "" && c != "ZZ" {
				f.ExpectedCountries = append(f.ExpectedCountries, c)
			}
		}
		if err := f.check(); err != nil {
			return nil, fmt.Errorf("%s:%d: fingerprint %q: %w", file, line, f.Name, err)
		}
		out = append(out, f)
	}
}

func (f *Fingerprint) check() error {
	if f.Pattern == "" {
		return errors.New("empty pattern")
	}
	if f.Location != "dns" && f.Location != "body" && !strings.HasPrefix(f.Location, "header.") {
		return fmt.Errorf("location_found %q: want dns, body or header.<name>", f.Location)
	}
	switch f.PatternType {
	case "full", "prefix", "contains":
	case "regexp":
		re, err := regexp.Compile(f.Pattern)
		if err != nil {
			return fmt.Errorf("pattern: %w", err)
		}
		f.re = re
	default:
		return fmt.Errorf("pattern_type %q: want full, prefix, contains or regexp", f.PatternType)
	}
	return nil
}

// Fingerprints is a loaded, indexed set of fingerprints. It is read-only
// once built and safe for concurrent use.
type Fingerprints struct {
	dns        map[string][]*Fingerprint // full patterns by answer
	dnsOther   []*Fingerprint            // prefix / contains / regexp DNS patterns
	headers    map[string][]*Fingerprint // by lower-case header name
	body       *bodyMatcher
	dnsCount   int
	httpCount  int
	bogusNX    map[string]bool
	bogusCount int
}

// LoadFingerprints reads fingerprints_dns.csv and fingerprints_http.csv
// from fsys (a directory laid out like OONI's blocking-fingerprints
// repository). A bogus-nxdomain.china.conf in fsys replaces the embedded
// list of NXDOMAIN-hijacking addresses; without it the embedded one is used.
func LoadFingerprints(fsys fs.FS) (*Fingerprints, error) {
	var all []*Fingerprint
	for _, name := range []string{dnsFingerprintsFile, httpFingerprintsFile} {
		f, err := fsys.Open(name)
		if err != nil {
			return nil, fmt.Errorf("fingerprints: %w", err)
		}
		list, err := readFingerprints(f, name)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("fingerprints: %w", err)
		}
		all = append(all, list...)
	}
	fp := indexFingerprints(all)
	conf, err := fs.ReadFile(fsys, bogusNXDOMAINFile)
	if errors.Is(err, fs.ErrNotExist) {
		conf, err = fs.ReadFile(embedded, "fingerprints/"+bogusNXDOMAINFile)
	}
	if err != nil {
		return nil, fmt.Errorf("fingerprints: %w", err)
	}
	if fp.bogusNX, err = parseBogusNXDOMAIN(string(conf)); err != nil {
		return nil, fmt.Errorf("fingerprints: %s: %w", bogusNXDOMAINFile, err)
	}
	fp.bogusCount = len(fp.bogusNX)
	return fp, nil
}

func indexFingerprints(all []*Fingerprint) *Fingerprints {
	fp := &Fingerprints{dns: map[string][]*Fingerprint{}, headers: map[string][]*Fingerprint{}}
	var body []*Fingerprint
	for _, f := range all {
		switch {
		case f.Location == "dns":
			fp.dnsCount++
			if f.PatternType == "full" {
				fp.dns[f.Pattern] = append(fp.dns[f.Pattern], f)
			} else {
				fp.dnsOther = append(fp.dnsOther, f)
			}
		case f.Location == "body":
			fp.httpCount++
			body = append(body, f)
		default:
			fp.httpCount++
			name := strings.TrimPrefix(f.Location, "header.")
			fp.headers[name] = append(fp.headers[name], f)
		}
	}
	fp.body = newBodyMatcher(body)
	return fp
}

// Counts returns how many DNS and HTTP fingerprints are loaded.
func (fp *Fingerprints) Counts() (dns, http int) { return fp.dnsCount, fp.httpCount }

// MatchDNS returns the fingerprints a DNS answer (an address or a CNAME)
// matches.
func (fp *Fingerprints) MatchDNS(answer string) []*Fingerprint {
	out := fp.dns[answer]
	for _, f := range fp.dnsOther {
		if f.match(answer) {
			out = append(out[:len(out):len(out)], f)
		}
	}
	return out
}

// MatchHeader returns the fingerprints a response header matches.
func (fp *Fingerprints) MatchHeader(name, value string) []*Fingerprint {
	var out []*Fingerprint
	for _, f := range fp.headers[strings.ToLower(name)] {
		if f.match(value) {
			out = append(out, f)
		}
	}
	return out
}

// MatchBody returns the fingerprints a response body matches, in the
// order of the fingerprint files.
func (fp *Fingerprints) MatchBody(body string) []*Fingerprint {
	return fp.body.match(body, true)
}

// matchBlockpageBody is MatchBody without the slow regexps of known false
// positives, for the first pass over every response.
func (fp *Fingerprints) matchBlockpageBody(body string) []*Fingerprint {
	return fp.body.match(body, false)
}

// BogusNXDOMAIN reports whether addr is an address resolvers return instead
// of NXDOMAIN to show advertising (dnsmasq-china-list).
func (fp *Fingerprints) BogusNXDOMAIN(addr string) bool { return fp.bogusNX[addr] }

// parseBogusNXDOMAIN reads dnsmasq "bogus-nxdomain=ADDR" lines; comments
// and blank lines are skipped, anything else is an error.
func parseBogusNXDOMAIN(conf string) (map[string]bool, error) {
	out := map[string]bool{}
	for i, line := range strings.Split(conf, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		addr, ok := strings.CutPrefix(line, "bogus-nxdomain=")
		if !ok || addr == "" {
			return nil, fmt.Errorf("line %d: want bogus-nxdomain=ADDRESS, got %q", i+1, line)
		}
		out[addr] = true
	}
	return out, nil
}
