package researchapi

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/sonde-project/sonde/analysis/aggregate"
	"github.com/sonde-project/sonde/analysis/report"
)

// Config sets the API's limits. The zero value works.
type Config struct {
	// QueryTime bounds each query of the API and the pages. OPTIONAL: 20s.
	QueryTime time.Duration
	// ExportTime bounds one bulk export. OPTIONAL: 10m.
	ExportTime time.Duration
	// MaxPageSize is the largest search page (limit). OPTIONAL: 1000.
	MaxPageSize int
	// MaxAggregationRows bounds an aggregation's answer. OPTIONAL: 100000.
	MaxAggregationRows int
	// MaxExportRows bounds one export. OPTIONAL: 1000000.
	MaxExportRows int
	// MaxExportDays bounds one export's period. OPTIONAL: 31.
	MaxExportDays int
	// MaxSearchDays bounds a search's or an aggregation's period.
	// OPTIONAL: 366.
	MaxSearchDays int
	// Categories gives the map of domains to Citizen Lab category codes
	// for the report pages. It is asked at every report, so that pages
	// follow test lists reloaded while the collector runs: it must be
	// cheap (cache per list version). OPTIONAL.
	Categories func() map[string]string
	// Logger logs failed queries. OPTIONAL: discarded.
	Logger *slog.Logger
	// Now is the clock. OPTIONAL: time.Now.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	c.QueryTime = cmp.Or(c.QueryTime, 20*time.Second)
	c.ExportTime = cmp.Or(c.ExportTime, 10*time.Minute)
	c.MaxPageSize = cmp.Or(c.MaxPageSize, 1000)
	c.MaxAggregationRows = cmp.Or(c.MaxAggregationRows, 100_000)
	c.MaxExportRows = cmp.Or(c.MaxExportRows, 1_000_000)
	c.MaxExportDays = cmp.Or(c.MaxExportDays, 31)
	c.MaxSearchDays = cmp.Or(c.MaxSearchDays, 366)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Paths the handler serves. Mount it with [Handler.Register], or serve
// it whole: it answers 404 outside these.
const (
	APIPrefix   = "/api/v1/"
	PagesPrefix = "/reports"
)

// Handler serves the researcher API (under /api/v1/) and the live report
// pages (under /reports/).
type Handler struct {
	conn  aggregate.Conn
	store *aggregate.Store
	cfg   Config
	mux   *http.ServeMux
}

// New returns the handler on conn, a connection to the warehouse
// (internal/warehouse, migrated).
func New(conn aggregate.Conn, cfg Config) *Handler {
	cfg = cfg.withDefaults()
	h := &Handler{
		conn:  conn,
		store: aggregate.NewStore(conn, aggregate.Limits{QueryTime: cfg.QueryTime}),
		cfg:   cfg,
		mux:   http.NewServeMux(),
	}
	h.Register(h.mux)
	return h
}

// Register adds the handler's routes to mux (Go 1.22 patterns).
func (h *Handler) Register(mux *http.ServeMux) {
	api := func(f func(http.ResponseWriter, *http.Request) error) http.Handler {
		return h.apiHeaders(f)
	}
	mux.Handle("GET /api/v1/measurements/{uid}", api(h.measurement))
	mux.Handle("GET /api/v1/measurements", api(h.search))
	mux.Handle("GET /api/v1/aggregation", api(h.aggregation))
	mux.Handle("GET /api/v1/export", api(h.export))
	for _, p := range []string{"/api/v1/measurements/{uid}", "/api/v1/measurements", "/api/v1/aggregation", "/api/v1/export"} {
		mux.Handle("OPTIONS "+p, api(preflight))
	}
	mux.Handle("GET /reports", http.RedirectHandler(PagesPrefix+"/", http.StatusMovedPermanently))
	mux.Handle("GET /reports/{$}", h.pageHeaders(h.indexPage))
	mux.Handle("GET /reports/country/{cc}", h.pageHeaders(h.countryPage))
	mux.Handle("GET /reports/domain", h.pageHeaders(h.domainSearch))
	mux.Handle("GET /reports/domain/{domain}", h.pageHeaders(h.domainPage))
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// securityHeaders are on every answer.
func securityHeaders(w http.ResponseWriter) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
}

// apiHeaders adds the JSON API's headers (open CORS: the data is public
// and no request carries credentials) and turns errors into JSON.
func (h *Handler) apiHeaders(f func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w)
		w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if err := f(w, r); err != nil {
			status, msg := h.classify(r, err)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
		}
	})
}

func preflight(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	w.Header().Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// errNotFound is a lookup that found nothing.
var errNotFound = errors.New("not found")

// classify maps an error to a status and a message for the client; what
// the server did wrong is logged, not shown.
func (h *Handler) classify(r *http.Request, err error) (int, string) {
	switch {
	case errors.Is(err, ErrBadParam), errors.Is(err, aggregate.ErrBadAxis), errors.Is(err, aggregate.ErrBadASN),
		errors.Is(err, report.ErrBadRequest):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, errNotFound):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, aggregate.ErrTooMuch), errors.Is(err, errTooMuchExport):
		return http.StatusUnprocessableEntity, err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		h.cfg.Logger.Warn("researchapi: query too slow", "path", r.URL.Path, "err", err)
		return http.StatusServiceUnavailable, "the query took too long: narrow the filter (a shorter period, one country, one network or one domain)"
	}
	h.cfg.Logger.Error("researchapi: query failed", "path", r.URL.Path, "err", err)
	return http.StatusInternalServerError, "the query failed on the server; try again later"
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
