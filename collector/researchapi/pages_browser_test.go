package researchapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/collector/researchapi"
	"github.com/sonde-project/sonde/internal/browsertest"
)

// TestPagesInBrowser loads the live pages in Chromium as a reader would:
// the country list, a country report, and a domain report reached through
// the search box's URL.
func TestPagesInBrowser(t *testing.T) {
	srv, _ := serve(t, researchapi.Config{})
	b := browsertest.Start(t)
	period := "since=2026-11-01&until=2026-11-22"

	index := b.Open(t, srv.URL+"/reports/?"+period)
	var idx struct {
		H1    string   `json:"h1"`
		Links []string `json:"links"`
		Form  string   `json:"form"`
	}
	index.Eval(t, `({h1: document.querySelector("h1").textContent,
	  links: Array.from(document.querySelectorAll("#countries a")).map(a => a.textContent + " " + a.getAttribute("href")),
	  form: document.querySelector("form[role=search]").getAttribute("action")})`, &idx)
	index.Screenshot(t, "pages-index")
	if idx.H1 != "Censorship reports by country" || !slices.Equal(idx.Links, []string{"Iran /reports/country/IR"}) || idx.Form != "/reports/domain" {
		t.Errorf("index: %+v", idx)
	}
	checkClean(t, index)

	for _, c := range []struct{ name, path, h1 string }{
		{"country", "/reports/country/IR?" + period, "Internet censorship in Iran"},
		{"domain", "/reports/domain?domain=Twitter.com", "Where twitter.com is blocked"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := b.Open(t, srv.URL+c.path)
			var v struct {
				H1       string   `json:"h1"`
				H2       []string `json:"h2"`
				Lead     string   `json:"lead"`
				SVGs     int      `json:"svgs"`
				Cells    int      `json:"cells"`
				Evidence []string `json:"evidence"`
				URL      string   `json:"url"`
			}
			p.Eval(t, `({h1: document.querySelector("h1").textContent,
			  h2: Array.from(document.querySelectorAll("h2")).map(h => h.textContent),
			  lead: document.querySelector(".lead").textContent,
			  svgs: Array.from(document.querySelectorAll("svg")).filter(s => s.getBoundingClientRect().height > 20).length,
			  cells: document.querySelectorAll("#networks td.cell").length,
			  evidence: Array.from(document.querySelectorAll("#evidence tbody a")).map(a => a.getAttribute("href")),
			  url: location.pathname})`, &v)
			p.Screenshot(t, "pages-"+c.name)
			if v.H1 != c.h1 || !slices.Contains(v.H2, "Networks and sites") || v.SVGs != 2 || v.Cells == 0 || len(v.Evidence) == 0 {
				t.Errorf("%s page: %+v", c.name, v)
			}
			if !strings.Contains(v.Lead, "blocked") {
				t.Errorf("headline %q", v.Lead)
			}
			for _, href := range v.Evidence {
				if !strings.HasPrefix(href, "/api/v1/measurements/") {
					t.Errorf("evidence link %q", href)
				}
			}
			if c.name == "domain" && v.URL != "/reports/domain/twitter.com" {
				t.Errorf("search landed on %s", v.URL)
			}
			checkClean(t, p)
		})
	}
}

func checkClean(t *testing.T, p *browsertest.Page) {
	t.Helper()
	if problems := p.Problems(); len(problems) > 0 {
		t.Errorf("console errors: %q", problems)
	}
}
