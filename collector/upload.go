package collector

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/sonde-project/sonde/collector/loader"
	"github.com/sonde-project/sonde/collector/spool"
	"github.com/sonde-project/sonde/internal/probeapi"
)

// ingest validates, scrubs and spools measurements, and answers for each.
// The spool append is one group-committed write: when it fails, nothing of
// the request is acknowledged and the error is returned.
func (s *Service) ingest(ctx context.Context, raws [][]byte, uploader netip.Addr, reportID string) ([]probeapi.BatchResult, []int, *Rejection) {
	start := s.now()
	results := make([]probeapi.BatchResult, len(raws))
	codes := make([]int, len(raws))
	var records [][]byte
	var uids []string
	inRequest := map[string]bool{}
	for i, raw := range raws {
		m, rej := s.valid.check(raw)
		var p *prepared
		if rej == nil {
			if m.ReportID != "" && reportID != "" && m.ReportID != reportID {
				rej = reject(http.StatusBadRequest, "report_id %q in the measurement is not the report %q it is submitted to", truncate(m.ReportID, 80), reportID)
			} else if reportID == "" && m.ReportID == "" {
				rej = reject(http.StatusBadRequest, "missing report_id")
			}
		}
		if rej == nil {
			var err error
			if p, err = prepare(raw, m, uploader, reportID); err != nil {
				rej = reject(http.StatusBadRequest, "%v", err)
			}
		}
		if rej != nil {
			s.met.rejected.Add(1)
			results[i] = probeapi.BatchResult{Status: probeapi.StatusRejected, Error: rej.Reason}
			codes[i] = rej.Status
			continue
		}
		results[i].MeasurementUID = p.uid
		if inRequest[p.uid] || s.recent.has(p.uid) {
			s.met.duplicates.Add(1)
			results[i].Status = probeapi.StatusDuplicate
			continue
		}
		inRequest[p.uid] = true
		results[i].Status = probeapi.StatusStored
		records = append(records, loader.EncodeRecord(start, p.doc))
		uids = append(uids, p.uid)
	}
	if len(records) > 0 {
		if err := s.spool.Append(ctx, records...); err != nil {
			s.met.spoolErrors.Add(1)
			return nil, nil, spoolRejection(err, s)
		}
		s.recent.add(uids...)
		s.met.stored.Add(int64(len(records)))
	}
	s.met.acked(s.now().Sub(start))
	return results, codes, nil
}

func spoolRejection(err error, s *Service) *Rejection {
	switch {
	case errors.Is(err, spool.ErrFull):
		return reject(http.StatusInsufficientStorage, "the collector's spool is full (ClickHouse is behind); retry later")
	case errors.Is(err, syscall.ENOSPC):
		s.log.Error("spool: disk full; refusing uploads until space returns")
		return reject(http.StatusInsufficientStorage, "the collector's disk is full; retry later")
	case errors.Is(err, spool.ErrClosed):
		return reject(http.StatusServiceUnavailable, "the collector is shutting down; retry later")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return reject(http.StatusServiceUnavailable, "the request ended before it could be stored; retry")
	}
	s.log.Error("spool: write failed", "err", err)
	return reject(http.StatusInternalServerError, "the collector could not store the upload; retry later")
}

// acquire takes an upload slot, waiting up to a second.
func (s *Service) acquire(ctx context.Context) bool {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case s.uploads <- struct{}{}:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

func (s *Service) release() { <-s.uploads }

// startUpload authenticates, charges one request and takes an upload
// slot; the caller releases the slot when ok.
func (s *Service) startUpload(w http.ResponseWriter, r *http.Request) (probe string, ok bool) {
	probe, rej := s.admit(r, 1)
	if rej != nil {
		writeRejection(w, rej)
		return "", false
	}
	if !s.acquire(r.Context()) {
		writeError(w, http.StatusServiceUnavailable, "the collector is busy; retry in a few seconds")
		return "", false
	}
	return probe, true
}

// handleSubmit is OONI's POST /report/{report_id}.
func (s *Service) handleSubmit(w http.ResponseWriter, r *http.Request) {
	reportID := r.PathValue("report_id")
	if !reportIDPattern.MatchString(reportID) {
		writeError(w, http.StatusBadRequest, "the report id in the URL is not letters, digits, _ . - (open a report with POST "+probeapi.PathOpenReport+")")
		return
	}
	if _, ok := s.startUpload(w, r); !ok {
		return
	}
	defer s.release()
	var req probeapi.SubmitRequest
	if !readJSON(w, r, s.cfg.limits().MaxMeasurementBytes+64<<10, &req, `{"format":"json","content":{…}}`, false) {
		return
	}
	if req.Format != "" && req.Format != "json" {
		writeError(w, http.StatusBadRequest, "format must be \"json\" (YAML reports are not accepted)")
		return
	}
	if len(req.Content) == 0 {
		writeError(w, http.StatusBadRequest, "content is missing")
		return
	}
	results, codes, rej := s.ingest(r.Context(), [][]byte{req.Content}, s.clientAddr(r), reportID)
	if rej != nil {
		writeRejection(w, rej)
		return
	}
	if res := results[0]; res.Status == probeapi.StatusRejected {
		writeError(w, codes[0], res.Error)
		return
	}
	writeJSON(w, http.StatusOK, probeapi.SubmitResponse{MeasurementUID: results[0].MeasurementUID})
}

// handleBatch is sonde's POST /api/v1/measurements: a JSON object with a
// list, or JSON lines (Content-Type application/x-ndjson).
func (s *Service) handleBatch(w http.ResponseWriter, r *http.Request) {
	lim := s.cfg.limits()
	// The cost is known only after reading; admit one request now and
	// charge the rest below.
	probe, ok := s.startUpload(w, r)
	if !ok {
		return
	}
	defer s.release()
	body, rej := readBody(w, r, lim.MaxBatchBytes)
	if rej != nil {
		writeRejection(w, rej)
		return
	}
	var raws [][]byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-ndjson") {
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(nil, int(lim.MaxMeasurementBytes)+1)
		for sc.Scan() {
			if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
				raws = append(raws, bytes.Clone(line))
			}
		}
		if sc.Err() != nil {
			writeError(w, http.StatusRequestEntityTooLarge, "a line is longer than the largest measurement accepted")
			return
		}
	} else {
		var req probeapi.BatchSubmitRequest
		if err := json.Unmarshal(body, &req); err != nil {
			writeError(w, http.StatusBadRequest, "the body is not {\"measurements\":[…]}: "+jsonError(err))
			return
		}
		for _, m := range req.Measurements {
			raws = append(raws, m)
		}
	}
	if len(raws) == 0 {
		writeError(w, http.StatusBadRequest, "no measurements in the batch")
		return
	}
	if len(raws) > lim.MaxBatchMeasurements {
		writeError(w, http.StatusRequestEntityTooLarge, "too many measurements in one batch; send at most "+itoa(lim.MaxBatchMeasurements))
		return
	}
	if n := len(raws) - 1; n > 0 {
		ipKey := s.ipKey(s.clientAddr(r))
		ok, wait := s.perIP.allow(ipKey, n)
		if ok && probe != "" {
			ok, wait = s.perProbe.allow(probe, n)
		}
		if !ok {
			s.met.rateLimited.Add(1)
			writeRejection(w, tooMany(wait))
			return
		}
	}
	results, _, rej := s.ingest(r.Context(), raws, s.clientAddr(r), "")
	if rej != nil {
		writeRejection(w, rej)
		return
	}
	writeJSON(w, http.StatusOK, probeapi.BatchSubmitResponse{Results: results})
}

func jsonError(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return "invalid JSON at byte " + itoa(int(syn.Offset))
	}
	return truncate(err.Error(), 200)
}
