package report

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

//go:embed templates
var templateFS embed.FS

// MaxColumns is how many domains the HTML network-by-domain table shows;
// the JSON and the CSV have them all.
const MaxColumns = 40

var (
	css = func() string {
		b, err := templateFS.ReadFile("templates/style.css")
		if err != nil {
			panic(err)
		}
		return string(b)
	}()
	cssHash = func() string {
		sum := sha256.Sum256([]byte(css))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}()
	pages = template.Must(template.New("").Funcs(template.FuncMap{
		"f1":              func(f float64) string { return fmt.Sprintf("%.1f", f) },
		"date":            Date,
		"stamp":           func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") },
		"period":          func(since, until time.Time) string { return Period(since, until.AddDate(0, 0, -1)) },
		"class":           func(s string) string { return strings.ReplaceAll(s, " ", "-") },
		"methodShort":     MethodShort,
		"methodWords":     MethodWords,
		"confidenceWords": ConfidenceWords,
		"columns":         func(c []string, n int) []string { return c[:min(len(c), n)] },
		"cells":           func(c []Cell, n int) []Cell { return c[:min(len(c), n)] },
	}).ParseFS(templateFS, "templates/*.html"))
)

// ContentSecurityPolicy is the policy of every page: nothing is loaded
// from anywhere, no script runs, the only style is the page's own
// (allowed by its hash), and forms submit only to the page's own site.
// Served pages add frame-ancestors, which only a header can carry.
func ContentSecurityPolicy() string {
	return "default-src 'none'; style-src " + cssHash + "; img-src data:; base-uri 'none'; form-action 'self'"
}

// Link is a link in a page's footer.
type Link struct{ Name, Href string }

// Page says how a page is shown.
type Page struct {
	// Live pages are served by the collector: they have navigation and a
	// search box, and their policy comes in a header. Without Live, a page
	// is a self-contained file whose policy is in a meta element.
	Live bool
	// Base is the path the live pages are mounted under (e.g. "/reports").
	Base string
	// Query fills the search box.
	Query string
	// DataLinks point to the same data as JSON and CSV.
	DataLinks []Link
}

type reportPage struct {
	Page
	Title      string
	CSS        template.CSS
	CSP        string
	Report     *Report
	Timeline   Chart
	Methods    Chart
	MaxColumns int
}

// WriteHTML writes the report as one self-contained HTML page: inline
// style and SVG charts, no script, nothing fetched.
func WriteHTML(w io.Writer, r *Report, p Page) error {
	return execute(w, "report", reportPage{
		Page: p, Title: r.Title, CSS: template.CSS(css), CSP: ContentSecurityPolicy(), Report: r,
		Timeline: timelineChart(r.Timeline), Methods: methodChart(r.Methods), MaxColumns: MaxColumns,
	})
}

// Index is the live list of countries.
type Index struct {
	Since, Until time.Time
	Countries    []CountryEntry
}

// CountryEntry is one country of the index.
type CountryEntry struct {
	CC           string
	Name         string
	Measurements int64
	BlockedSites int64
}

type indexPage struct {
	Page
	Index
	Title string
	CSS   template.CSS
	CSP   string
}

// WriteIndex writes the page that lists the countries with measurements.
func WriteIndex(w io.Writer, idx Index, p Page) error {
	return execute(w, "index", indexPage{
		Page: p, Index: idx, Title: "Censorship reports by country", CSS: template.CSS(css), CSP: ContentSecurityPolicy(),
	})
}

// execute renders into memory first, so that a template error never
// leaves half a page.
func execute(w io.Writer, name string, data any) error {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s page: %w", name, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
