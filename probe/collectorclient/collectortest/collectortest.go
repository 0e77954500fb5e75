// Package collectortest is a small collector for the probe's tests: a
// real net/http server on loopback that speaks the probeapi paths
// (register, check-in, open/submit/close report, batch submit), stores
// measurements by content (a re-upload is a duplicate, as in the real
// collector), records every request exactly as received, and misbehaves
// on demand: it cuts connections before or after storing, answers 503,
// or lacks the batch path. [SOCKS5] is a proxy that records every byte
// sent through it.
package collectortest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/probeapi"
)

// Server is the collector. Set the fault fields before the requests they
// should affect; they are read under the lock.
type Server struct {
	*httptest.Server

	mu sync.Mutex
	// CheckIn is the answer to check-in. Its ProbeIP is replaced by the
	// client's address, and its UTCTime by the server's clock, unless set.
	CheckIn probeapi.CheckInResponse
	// CheckInRaw, when not nil, is sent as the check-in answer instead.
	CheckInRaw []byte
	// Token is required on uploads when not empty; Register hands it out.
	Token string
	// NoBatch answers 404 on the batch path (an OONI collector).
	NoBatch bool
	// CutBeforeStore and CutAfterStore cut the connection of the next N
	// uploads (submit or batch) without answering: before reading and
	// storing them, or after storing them (the acknowledgement is lost).
	CutBeforeStore, CutAfterStore int
	// Fail503 answers 503 to the next N uploads without storing them.
	Fail503 int
	// UploadDelay holds each upload this long before storing it.
	UploadDelay time.Duration
	// Reject makes the collector reject measurements whose text contains
	// this string.
	Reject string

	stored   map[string]json.RawMessage // content hash → measurement
	received map[string]int             // content hash → times received
	reports  map[string]bool            // report id → open
	requests map[string]int             // path kind → count

	ackDelivered   map[string]bool // content hash → an acknowledgement was sent
	resentAfterAck []string
	recorded       []Request
}

// Request is a request as the server received it.
type Request struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// New starts a collector; it stops at the end of the test.
func New(t testing.TB) *Server {
	s := &Server{
		stored: map[string]json.RawMessage{}, received: map[string]int{},
		reports: map[string]bool{}, requests: map[string]int{}, ackDelivered: map[string]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+probeapi.PathRegister, s.register)
	mux.HandleFunc("POST "+probeapi.PathCheckIn, s.checkIn)
	mux.HandleFunc("POST "+probeapi.PathOpenReport, s.openReport)
	mux.HandleFunc("POST "+probeapi.PathSubmit, s.submit)
	mux.HandleFunc("POST "+probeapi.PathCloseReport, s.closeReport)
	mux.HandleFunc("POST "+probeapi.PathBatchSubmit, s.batch)
	s.Server = httptest.NewServer(s.record(mux))
	t.Cleanup(s.Close)
	return s
}

// record keeps a copy of every request, its body read whole (up to 64
// MiB), before handing it on.
func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<20))
		if err != nil {
			writeJSON(w, 413, probeapi.Error{Error: err.Error()})
			return
		}
		s.mu.Lock()
		s.recorded = append(s.recorded, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		s.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// Recorded returns every request received so far, in order.
func (s *Server) Recorded() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.recorded...)
}

// Hash is the content hash the server dedupes by.
func Hash(m []byte) string {
	h := sha256.Sum256(m)
	return hex.EncodeToString(h[:])
}

// Stored returns the stored measurements by content hash.
func (s *Server) Stored() map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]json.RawMessage, len(s.stored))
	for k, v := range s.stored {
		out[k] = v
	}
	return out
}

// Received returns how many times each measurement (by content hash)
// reached the server, stored or not.
func (s *Server) Received() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.received))
	for k, v := range s.received {
		out[k] = v
	}
	return out
}

// ResentAfterAck lists the measurements (by content hash) uploaded again
// after the server had delivered their acknowledgement: what a client
// must never do.
func (s *Server) ResentAfterAck() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.resentAfterAck...)
}

// Requests returns how many requests each path got ("register",
// "check-in", "open", "submit", "close", "batch").
func (s *Server) Requests(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[kind]
}

// Set changes fields under the lock.
func (s *Server) Set(f func(s *Server)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests["register"]++
	tok := s.Token
	s.mu.Unlock()
	if tok == "" {
		tok = "anonymous-token"
	}
	writeJSON(w, 200, probeapi.RegisterResponse{ProbeID: "probe-1", Token: tok})
}

func (s *Server) checkIn(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests["check-in"]++
	resp, raw := s.CheckIn, s.CheckInRaw
	s.mu.Unlock()
	var req probeapi.CheckInRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		writeJSON(w, 400, probeapi.Error{Error: err.Error()})
		return
	}
	if raw != nil {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(raw)
		return
	}
	if resp.ProbeIP == "" {
		resp.ProbeIP = strings.Trim(r.RemoteAddr[:strings.LastIndexByte(r.RemoteAddr, ':')], "[]")
	}
	if resp.UTCTime == "" {
		resp.UTCTime = time.Now().UTC().Format(time.RFC3339)
	}
	writeJSON(w, 200, resp)
}

func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	tok := s.Token
	s.mu.Unlock()
	if tok != "" && r.Header.Get(probeapi.AuthHeader) != "Bearer "+tok {
		writeJSON(w, 401, probeapi.Error{Error: "unknown probe token"})
		return false
	}
	return true
}

func (s *Server) openReport(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	var req probeapi.OpenReportRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || req.TestName == "" {
		writeJSON(w, 400, probeapi.Error{Error: "bad open report request"})
		return
	}
	s.mu.Lock()
	s.requests["open"]++
	id := fmt.Sprintf("20240101T000000Z_%s_%s_%s_n1_collector%07d", strings.ReplaceAll(req.TestName, "_", ""),
		req.ProbeCC, strings.TrimPrefix(req.ProbeASN, "AS"), len(s.reports))
	s.reports[id] = true
	s.mu.Unlock()
	writeJSON(w, 200, probeapi.OpenReportResponse{ReportID: id, SupportedFormats: []string{"json"}})
}

func (s *Server) closeReport(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests["close"]++
	if !s.reports[r.PathValue("report_id")] {
		writeJSON(w, 404, probeapi.Error{Error: "no such report"})
		return
	}
	s.reports[r.PathValue("report_id")] = false
	writeJSON(w, 200, struct{}{})
}
