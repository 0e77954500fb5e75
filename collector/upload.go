package collector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/sonde-project/sonde/collector/spool"
	"github.com/sonde-project/sonde/internal/canonjson"
	"github.com/sonde-project/sonde/internal/probeapi"
)

// ingest validates, scrubs and spools measurements, and answers for each.
// The spool append is one group-committed write: when it fails, nothing of
// the request is acknowledged and the error is returned.
func (s *Service) ingest(ctx context.Context, raws [][]byte, uploader netip.Addr, reportID string) ([]probeapi.BatchResult, []int, *Rejection) {
	start := s.now()
	results := make([]probeapi.BatchResult, len(raws))
	codes := make([]int, len(raws))
	records := make([][]byte, 0, len(raws))
	uids := make([]string, 0, len(raws))
	sc := &scrubbers{uploader: uploader}
	var inRequest map[string]bool
	for i, raw := range raws {
		a, rej := s.valid.accept(raw, sc, reportID, start)
		if rej != nil {
			s.met.rejected.Add(1)
			results[i] = probeapi.BatchResult{Status: probeapi.StatusRejected, Error: rej.Reason}
			codes[i] = rej.Status
			continue
		}
		results[i].MeasurementUID = a.uid
		if inRequest[a.uid] || s.recent.has(a.uid) {
			s.met.duplicates.Add(1)
			results[i].Status = probeapi.StatusDuplicate
			continue
		}
		if len(raws) > 1 {
			if inRequest == nil {
				inRequest = make(map[string]bool, len(raws))
			}
			inRequest[a.uid] = true
		}
		results[i].Status = probeapi.StatusStored
		records = append(records, a.record)
		uids = append(uids, a.uid)
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
	select {
	case s.uploads <- struct{}{}:
		return true
	default:
	}
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

// process runs ingest in an upload slot (bounding the CPU and memory of
// uploads processed at once) and writes the rejection when there is one.
func (s *Service) process(w http.ResponseWriter, r *http.Request, raws [][]byte, reportID string) ([]probeapi.BatchResult, []int, bool) {
	if !s.acquire(r.Context()) {
		writeError(w, http.StatusServiceUnavailable, "the collector is busy; retry in a few seconds")
		return nil, nil, false
	}
	defer s.release()
	results, codes, rej := s.ingest(r.Context(), raws, s.clientAddr(r), reportID)
	if rej != nil {
		writeRejection(w, rej)
		return nil, nil, false
	}
	return results, codes, true
}

// handleSubmit is OONI's POST /report/{report_id}.
func (s *Service) handleSubmit(w http.ResponseWriter, r *http.Request) {
	if _, rej := s.admit(r, 1); rej != nil {
		writeRejection(w, rej)
		return
	}
	reportID := r.PathValue("report_id")
	if !s.checkReportID(w, reportID) {
		return
	}
	body, release, rej := s.readBody(w, r, s.cfg.limits().MaxMeasurementBytes+64<<10)
	if rej != nil {
		writeRejection(w, rej)
		return
	}
	defer release()
	format, content, err := submitEnvelope(body)
	switch {
	case err != nil:
		writeError(w, http.StatusBadRequest, `the body is not {"format":"json","content":{…}}: `+err.Error())
		return
	case format != "" && format != "json":
		writeError(w, http.StatusBadRequest, "format must be \"json\" (YAML reports are not accepted)")
		return
	case len(content) == 0:
		writeError(w, http.StatusBadRequest, "content is missing")
		return
	}
	results, codes, ok := s.process(w, r, [][]byte{content}, reportID)
	if !ok {
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
	probe, rej := s.admit(r, 1)
	if rej != nil {
		writeRejection(w, rej)
		return
	}
	body, release, rej := s.readBody(w, r, lim.MaxBatchBytes)
	if rej != nil {
		writeRejection(w, rej)
		return
	}
	defer release()
	var raws [][]byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-ndjson") {
		if raws, rej = splitLines(body, lim.MaxMeasurementBytes); rej != nil {
			writeRejection(w, rej)
			return
		}
	} else {
		var err error
		if raws, err = batchEnvelope(body); err != nil {
			writeError(w, http.StatusBadRequest, `the body is not {"measurements":[…]}: `+err.Error())
			return
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
	results, _, ok := s.process(w, r, raws, "")
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, probeapi.BatchSubmitResponse{Results: results})
}

// splitLines splits JSON lines; the lines are slices of body.
func splitLines(body []byte, maxLine int64) ([][]byte, *Rejection) {
	var raws [][]byte
	for len(body) > 0 {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		if int64(len(line)) > maxLine {
			return nil, reject(http.StatusRequestEntityTooLarge, "a line is longer than the largest measurement accepted (%d bytes)", maxLine)
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			raws = append(raws, line)
		}
	}
	return raws, nil
}

var errInvalidJSON = errors.New("invalid JSON")

// submitEnvelope splits OONI's {"format":"json","content":{…}} without
// decoding the content (ingest checks it). Other members must be valid
// JSON; they are ignored.
func submitEnvelope(body []byte) (format string, content []byte, err error) {
	err = canonjson.Members(body, func(k, v []byte) error {
		switch string(k) {
		case "content":
			content = v
		case "format":
			if json.Unmarshal(v, &format) != nil {
				return errors.New("format is not a string")
			}
		default:
			if !json.Valid(v) {
				return errInvalidJSON
			}
		}
		return nil
	})
	if errors.Is(err, canonjson.ErrNotObject) {
		err = errInvalidJSON
	}
	return format, content, err
}

// batchEnvelope returns the measurements of {"measurements":[…]}, slices
// of body, without decoding them (ingest checks each).
func batchEnvelope(body []byte) ([][]byte, error) {
	var raws [][]byte
	err := canonjson.Members(body, func(k, v []byte) error {
		if string(k) != "measurements" {
			if !json.Valid(v) {
				return errInvalidJSON
			}
			return nil
		}
		if string(v) == "null" {
			return nil
		}
		return canonjson.Elements(v, func(m []byte) error {
			raws = append(raws, m)
			return nil
		})
	})
	if errors.Is(err, canonjson.ErrNotObject) || errors.Is(err, canonjson.ErrNotArray) {
		err = errInvalidJSON
	}
	return raws, err
}
