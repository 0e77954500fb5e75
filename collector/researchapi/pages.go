package researchapi

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sonde-project/sonde/analysis/report"
)

// pageHeaders adds the pages' headers: the report's own policy (no
// script, nothing fetched, the style allowed by its hash) and no framing.
func (h *Handler) pageHeaders(f func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w)
		w.Header().Set("Content-Security-Policy", report.ContentSecurityPolicy()+"; frame-ancestors 'none'")
		if err := f(w, r); err != nil {
			status, msg := h.classify(r, err)
			http.Error(w, msg, status)
		}
	})
}

var pageParams = []string{"since", "until", "format"}

// indexPage lists the countries with measurements.
func (h *Handler) indexPage(w http.ResponseWriter, r *http.Request) error {
	p, err := parseParams(r.URL.RawQuery, "since", "until")
	if err != nil {
		return err
	}
	since, until, err := p.timeRange(h.cfg.Now(), 31, report.MaxPeriodDays)
	if err != nil {
		return err
	}
	countries, err := h.store.Countries(r.Context(), since, until)
	if err != nil {
		return err
	}
	idx := report.Index{Since: since, Until: until}
	for _, c := range countries {
		idx.Countries = append(idx.Countries, report.CountryEntry{
			CC: c.CC, Name: report.CountryName(c.CC), Measurements: c.Measurements, BlockedSites: c.AnomalousSites,
		})
	}
	return h.html(w, func(b *bytes.Buffer) error {
		return report.WriteIndex(b, idx, report.Page{Live: true, Base: PagesPrefix})
	})
}

func (h *Handler) countryPage(w http.ResponseWriter, r *http.Request) error {
	return h.reportPage(w, r, report.Request{Kind: report.KindCountry, CC: r.PathValue("cc")}, "")
}

func (h *Handler) domainPage(w http.ResponseWriter, r *http.Request) error {
	d := r.PathValue("domain")
	return h.reportPage(w, r, report.Request{Kind: report.KindDomain, Domain: d}, d)
}

// domainSearch sends the search box's domain to its report page.
func (h *Handler) domainSearch(w http.ResponseWriter, r *http.Request) error {
	p, err := parseParams(r.URL.RawQuery, "domain")
	if err != nil {
		return err
	}
	f, err := p.filter()
	if err != nil {
		return err
	}
	if f.Domain == "" {
		return bad("domain", "", "a domain name (e.g. twitter.com)")
	}
	http.Redirect(w, r, PagesPrefix+"/domain/"+url.PathEscape(f.Domain), http.StatusSeeOther)
	return nil
}

// reportPage builds a report and writes it as HTML, JSON or CSV.
func (h *Handler) reportPage(w http.ResponseWriter, r *http.Request, req report.Request, query string) error {
	p, err := parseParams(r.URL.RawQuery, pageParams...)
	if err != nil {
		return err
	}
	req.Since, req.Until, err = p.timeRange(h.cfg.Now(), 31, report.MaxPeriodDays)
	if err != nil {
		return err
	}
	format, err := p.oneOf("format", "html", "html", "json", "csv")
	if err != nil {
		return err
	}
	if h.cfg.Categories != nil {
		req.Categories = h.cfg.Categories()
	}
	req.MeasurementURL = "/api/v1/measurements/"
	req.Now = h.cfg.Now
	rep, err := report.Build(r.Context(), h.store, req)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		w.Header().Set("Access-Control-Allow-Origin", "*")
		return writeJSON(w, rep)
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+rep.Kind+`-`+strings.ToLower(rep.Subject)+`.csv"`)
		return report.WriteCSV(w, rep, req.Categories)
	}
	links := []report.Link{}
	for _, f := range []string{"json", "csv"} {
		q := url.Values{"since": {req.Since.Format(time.DateOnly)}, "until": {req.Until.Format(time.DateOnly)}, "format": {f}}
		links = append(links, report.Link{Name: strings.ToUpper(f), Href: "?" + q.Encode()})
	}
	return h.html(w, func(b *bytes.Buffer) error {
		return report.WriteHTML(b, rep, report.Page{Live: true, Base: PagesPrefix, Query: query, DataLinks: links})
	})
}

// html renders a page fully before sending it, so that an error gets an
// error status rather than half a page.
func (h *Handler) html(w http.ResponseWriter, render func(*bytes.Buffer) error) error {
	var b bytes.Buffer
	if err := render(&b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := w.Write(b.Bytes())
	return err
}
