package report

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"
	"time"
)

// countries.tab is tzdata's iso3166.tab (public domain): code, tab, name.
//
//go:embed countries.tab
var countriesTab string

var countryNames = func() map[string]string {
	names := make(map[string]string)
	sc := bufio.NewScanner(strings.NewReader(countriesTab))
	for sc.Scan() {
		if code, name, ok := strings.Cut(sc.Text(), "\t"); ok {
			names[code] = strings.ReplaceAll(name, "&", "and")
		}
	}
	// ZZ is what probes (sonde's and OONI's) write when they do not know
	// their country; ISO 3166 leaves it for such use. A report on those
	// measurements (and on the censorship lab's mixed scenario) needs it.
	names[UnknownCountry] = "an unknown country"
	return names
}()

// UnknownCountry is the code of measurements whose country is unknown.
const UnknownCountry = "ZZ"

// CountryName returns the English name of an ISO 3166 alpha-2 code, or the
// code itself when unknown.
func CountryName(cc string) string {
	if name, ok := countryNames[strings.ToUpper(cc)]; ok {
		return name
	}
	return cc
}

// KnownCountry reports whether cc is an ISO 3166 alpha-2 code.
func KnownCountry(cc string) bool {
	_, ok := countryNames[cc]
	return ok
}

// methodWords says each blocking method in plain words.
var methodWords = map[string]string{
	"dns":          "DNS tampering (the network gave a wrong address for the site)",
	"tcp_ip":       "blocking the site's IP address (connections to it failed)",
	"tls":          "interfering with the encrypted connection (TLS)",
	"http-failure": "breaking the web connection (HTTP requests failed)",
	"http-diff":    "serving a different page than the real site (HTTP, e.g. a blockpage)",
	"quic":         "blocking QUIC (HTTP/3) connections",
}

// MethodWords says a blocking method in plain words.
func MethodWords(method string) string {
	if w, ok := methodWords[method]; ok {
		return w
	}
	if method == "" {
		return "an unidentified method"
	}
	return method
}

// MethodShort is a method's short name, for tables and charts.
func MethodShort(method string) string {
	switch method {
	case "dns":
		return "DNS"
	case "tcp_ip":
		return "TCP/IP"
	case "tls":
		return "TLS"
	case "http-failure":
		return "HTTP failure"
	case "http-diff":
		return "HTTP blockpage"
	case "quic":
		return "QUIC"
	case "":
		return "unidentified"
	}
	return method
}

// ConfidenceWords explains a confidence to a reader.
func ConfidenceWords(status string) string {
	switch status {
	case StatusConfirmed:
		return "confirmed: a known blockpage or censor DNS answer was seen"
	case StatusLikely:
		return "likely: the network's answers differed from those of an uncensored network, without a known blockpage to prove it"
	case StatusNotBlocked:
		return "not blocked: the site loaded as from an uncensored network"
	case StatusFailed:
		return "measurement failed: the test itself broke, nothing can be said"
	}
	return "not measured in this period"
}

// categoryNames are the Citizen Lab test-list category codes.
var categoryNames = map[string]string{
	"ALDR": "Alcohol and drugs", "REL": "Religion", "PORN": "Pornography",
	"PROV": "Provocative attire", "POLR": "Political criticism", "HUMR": "Human rights",
	"ENV": "Environment", "MILX": "Terrorism and militants", "HATE": "Hate speech",
	"NEWS": "News media", "XED": "Sex education", "PUBH": "Public health",
	"GMB": "Gambling", "ANON": "Anonymity and circumvention tools", "DATE": "Online dating",
	"GRP": "Social networking", "LGBT": "LGBTQ+", "FILE": "File sharing",
	"HACK": "Hacking tools", "COMT": "Communication tools", "MMED": "Media sharing",
	"HOST": "Hosting and blogging", "SRCH": "Search engines", "GAME": "Gaming",
	"CULTR": "Culture", "ECON": "Economics", "GOVT": "Government",
	"COMM": "E-commerce", "CTRL": "Control content", "IGO": "Intergovernmental organisations",
	"MISC": "Miscellaneous",
}

// CategoryName names a Citizen Lab category code; "" becomes
// "Uncategorised".
func CategoryName(code string) string {
	if code == "" {
		return "Uncategorised"
	}
	if name, ok := categoryNames[strings.ToUpper(code)]; ok {
		return name
	}
	return code
}

// Date formats a day as readers write it: "1 November 2026".
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 January 2006")
}

// Period says "between 1 and 21 November 2026" for two days, shortening
// what the two share; one day gives "on 1 November 2026".
func Period(first, last time.Time) string {
	first, last = first.UTC(), last.UTC()
	switch {
	case first.Equal(last):
		return "on " + Date(first)
	case first.Year() != last.Year():
		return fmt.Sprintf("between %s and %s", Date(first), Date(last))
	case first.Month() != last.Month():
		return fmt.Sprintf("between %s and %s", first.Format("2 January"), Date(last))
	}
	return fmt.Sprintf("between %d and %s", first.Day(), Date(last))
}

// plural says "1 network", "3 networks".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// list joins words as "a", "a and b", "a, b and c".
func list(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
