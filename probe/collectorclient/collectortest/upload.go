package collectortest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sonde-project/sonde/internal/probeapi"
)

// fault is what to do with an upload before and after storing it.
type fault int

const (
	faultNone fault = iota
	faultCutBefore
	faultCutAfter
	fault503
)

// nextFault takes the next pending fault, under the lock.
func (s *Server) nextFault() fault {
	switch {
	case s.CutBeforeStore > 0:
		s.CutBeforeStore--
		return faultCutBefore
	case s.Fail503 > 0:
		s.Fail503--
		return fault503
	case s.CutAfterStore > 0:
		s.CutAfterStore--
		return faultCutAfter
	}
	return faultNone
}

// cut closes the client's connection without an answer.
func cut(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

// store keeps m once and returns its uid and status.
func (s *Server) store(m []byte) probeapi.BatchResult {
	h := Hash(m)
	s.received[h]++
	if s.ackDelivered[h] {
		s.resentAfterAck = append(s.resentAfterAck, h)
	}
	if s.Reject != "" && bytes.Contains(m, []byte(s.Reject)) {
		return probeapi.BatchResult{Status: probeapi.StatusRejected, Error: "test_name is not a known test"}
	}
	uid := "20240101000000.000000_ZZ_test_" + h[:16]
	if _, ok := s.stored[h]; ok {
		return probeapi.BatchResult{MeasurementUID: uid, Status: probeapi.StatusDuplicate}
	}
	s.stored[h] = append(json.RawMessage(nil), m...)
	return probeapi.BatchResult{MeasurementUID: uid, Status: probeapi.StatusStored}
}

// upload runs the fault schedule around storing.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, kind string, handle func(body []byte) (int, any, []string)) {
	s.mu.Lock()
	s.requests[kind]++
	s.mu.Unlock()
	if !s.authorized(w, r) {
		return
	}
	s.mu.Lock()
	f, delay := s.nextFault(), s.UploadDelay
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	switch f {
	case faultCutBefore:
		cut(w)
		return
	case fault503:
		writeJSON(w, 503, probeapi.Error{Error: "overloaded, try later"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<20))
	if err != nil {
		writeJSON(w, 413, probeapi.Error{Error: err.Error()})
		return
	}
	code, resp, hashes := handle(body)
	if f == faultCutAfter {
		cut(w)
		return
	}
	writeJSON(w, code, resp)
	if code == 200 {
		s.mu.Lock()
		for _, h := range hashes {
			s.ackDelivered[h] = true
		}
		s.mu.Unlock()
	}
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	s.upload(w, r, "submit", func(body []byte) (int, any, []string) {
		var req probeapi.SubmitRequest
		if err := json.Unmarshal(body, &req); err != nil || req.Format != "json" {
			return 400, probeapi.Error{Error: "bad submit request"}, nil
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.reports[r.PathValue("report_id")]; !ok {
			return 404, probeapi.Error{Error: "no such report"}, nil
		}
		res := s.store(req.Content)
		if res.Status == probeapi.StatusRejected {
			return 400, probeapi.Error{Error: res.Error}, nil
		}
		return 200, probeapi.SubmitResponse{MeasurementUID: res.MeasurementUID}, []string{Hash(req.Content)}
	})
}

func (s *Server) batch(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	noBatch := s.NoBatch
	s.mu.Unlock()
	if noBatch {
		http.NotFound(w, r)
		return
	}
	s.upload(w, r, "batch", func(body []byte) (int, any, []string) {
		var req probeapi.BatchSubmitRequest
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-ndjson") {
			for _, line := range bytes.Split(bytes.TrimSpace(body), []byte("\n")) {
				req.Measurements = append(req.Measurements, line)
			}
		} else if err := json.Unmarshal(body, &req); err != nil {
			return 400, probeapi.Error{Error: "bad batch"}, nil
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		var resp probeapi.BatchSubmitResponse
		var hashes []string
		for _, m := range req.Measurements {
			resp.Results = append(resp.Results, s.store(m))
			hashes = append(hashes, Hash(m))
		}
		return 200, resp, hashes
	})
}
