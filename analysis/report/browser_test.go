package report

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/internal/browsertest"
)

// seen is what a reader sees on a report page, read from the DOM.
type seen struct {
	H1       string   `json:"h1"`
	H2       []string `json:"h2"`
	Lead     string   `json:"lead"`
	SVGs     int      `json:"svgs"`
	Bars     int      `json:"bars"`
	NetRows  int      `json:"netRows"`
	Filled   int      `json:"filled"`
	Evidence int      `json:"evidence"`
	Findings int      `json:"findings"`
	Width    int      `json:"width"`
}

// readerView is the JavaScript that collects [seen].
const readerView = `(() => {
  const q = s => Array.from(document.querySelectorAll(s));
  return {
    h1: (document.querySelector("h1") || {}).textContent || "",
    h2: q("h2").map(h => h.textContent),
    lead: (document.querySelector(".lead") || {}).textContent || "",
    svgs: q("svg").filter(s => s.getBoundingClientRect().height > 20).length,
    bars: q("#timeline svg rect").length,
    netRows: q("#networks tbody tr").length,
    filled: q("#networks td.cell").filter(td => td.textContent.trim() !== "").length,
    evidence: q("#evidence tbody tr").length,
    findings: q(".finding").length,
    width: document.documentElement.scrollWidth,
  };
})()`

func TestReportInBrowser(t *testing.T) {
	b := browsertest.Start(t)
	dir := t.TempDir()
	for _, kind := range []string{KindCountry, KindDomain} {
		t.Run(kind, func(t *testing.T) {
			r := scenarioReport(t, kind)
			var buf bytes.Buffer
			if err := WriteHTML(&buf, r, Page{DataLinks: []Link{{"JSON", kind + ".json"}, {"CSV", kind + ".csv"}}}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, kind+".html")
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			p := b.Open(t, "file://"+path)
			var v seen
			p.Eval(t, readerView, &v)
			p.Screenshot(t, "report-"+kind)

			if v.H1 != r.Title {
				t.Errorf("h1 %q, want %q", v.H1, r.Title)
			}
			for _, h := range []string{"In short", "Measurements over time", "How sites were blocked", "Networks and sites", "Evidence", "How to read this report"} {
				if !slices.Contains(v.H2, h) {
					t.Errorf("no %q heading in %q", h, v.H2)
				}
			}
			if strings.TrimSpace(v.Lead) != r.Headline.Sentence {
				t.Errorf("lead %q, want the headline %q", v.Lead, r.Headline.Sentence)
			}
			if v.SVGs != 2 || v.Bars < 21 {
				t.Errorf("%d visible charts with %d timeline bars; want 2 charts and a bar a day", v.SVGs, v.Bars)
			}
			if v.NetRows != len(r.Table.Rows) || v.NetRows == 0 || v.Filled != v.NetRows*len(r.Table.Columns) {
				t.Errorf("network table: %d rows, %d filled cells; want %d rows of %d", v.NetRows, v.Filled, len(r.Table.Rows), len(r.Table.Columns))
			}
			if v.Evidence != len(r.Evidence) || v.Evidence == 0 || v.Findings == 0 {
				t.Errorf("%d evidence rows (want %d), %d findings", v.Evidence, len(r.Evidence), v.Findings)
			}
			if v.Width > 1200 {
				t.Errorf("page is %dpx wide in a 1200px window", v.Width)
			}
			if problems := p.Problems(); len(problems) > 0 {
				t.Errorf("console errors: %q", problems)
			}
			if req := p.Requests(); len(req) != 1 {
				t.Errorf("the page fetched more than itself: %q", req)
			}
		})
	}
}
