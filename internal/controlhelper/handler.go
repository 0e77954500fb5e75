package controlhelper

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/sonde-project/sonde/internal/version"
)

// Paths the helper answers on. OONI's probes POST to the root of a test
// helper's URL (e.g. https://0.th.ooni.org/); sonde's probes use the
// versioned path.
const (
	PathOONI = "/"
	PathAPI  = "/api/v1/control"
)

// retryAfterSeconds is what a client that finds the helper busy is told.
const retryAfterSeconds = 2

// Handler is the control helper as an http.Handler. It answers POST
// requests carrying an oohelperd request with an oohelperd response, on
// whatever path it is mounted at; Mount registers it on the usual paths.
type Handler struct {
	cfg      Config
	guard    guard
	resolver *resolver
	slots    chan struct{}
	stats    counters
}

type counters struct {
	measured, rejected, busy atomic.Int64
}

// Stats are the counts a Handler keeps since it was created, for the
// metrics of the server that mounts it.
type Stats struct {
	Measured int64 // requests answered 200
	Rejected int64 // requests answered 4xx
	Busy     int64 // requests answered 503 because MaxConcurrency were running
}

// New returns a Handler for cfg (whose zero value works). It fails only on
// a configuration error, such as no DNS server to ask.
func New(cfg Config) (*Handler, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	h := &Handler{
		cfg:      cfg,
		guard:    guard{allow: cfg.AllowPrefixes},
		resolver: &resolver{servers: cfg.DNSServers, timeout: cfg.DNSTimeout, source: cfg.SourceAddr},
		slots:    make(chan struct{}, cfg.MaxConcurrency),
	}
	if len(cfg.AllowPrefixes) > 0 {
		cfg.Logger.Warn("control helper: connecting to non-public addresses is allowed", "prefixes", cfg.AllowPrefixes)
	}
	return h, nil
}

// Mount registers h on mux for POST at PathOONI (exactly "/", not the
// whole tree) and PathAPI.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle("POST "+PathOONI+"{$}", h)
	mux.Handle("POST "+PathAPI, h)
}

// Stats returns the counts so far.
func (h *Handler) Stats() Stats {
	return Stats{Measured: h.stats.measured.Load(), Rejected: h.stats.rejected.Load(), Busy: h.stats.busy.Load()}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Server", "sonde-controlhelper/"+version.Version)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.fail(w, http.StatusMethodNotAllowed, "the control helper takes POST requests with a JSON body")
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxRequestBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.fail(w, http.StatusRequestEntityTooLarge,
				"the request is larger than "+strconv.FormatInt(h.cfg.MaxRequestBytes, 10)+" bytes")
			return
		}
		h.fail(w, http.StatusBadRequest, "cannot read the request: "+err.Error())
		return
	}
	req, err := ParseRequest(data)
	if err != nil {
		h.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	default:
		h.stats.busy.Add(1)
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"the control helper is busy: retry in a few seconds"})
		return
	}
	resp, err := h.Measure(r.Context(), req)
	if err != nil { // ParseRequest already checked what Measure checks
		h.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	h.stats.measured.Add(1)
	writeJSON(w, http.StatusOK, resp)
}

// errorBody is the JSON of every error answer: {"error": "…"}.
type errorBody struct {
	Error string `json:"error"`
}

func (h *Handler) fail(w http.ResponseWriter, status int, msg string) {
	h.stats.rejected.Add(1)
	writeJSON(w, status, errorBody{msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil { // the answer types always encode
		http.Error(w, "cannot encode the answer", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(data)
}
