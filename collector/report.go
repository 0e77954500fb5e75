package collector

import (
	"net/http"
	"strconv"

	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/internal/version"
)

func itoa(n int) string { return strconv.Itoa(n) }

// newReportID makes a signed report id in OONI's layout (reportid.go).
func (s *Service) newReportID(testName, cc, asn string) string {
	return s.reports.issue(s.now().UTC().Format("20060102T150405Z"), testName, cc, asn)
}

// checkReportID answers 404 for a report id this collector (or one with
// the same report key) did not issue, and returns false.
func (s *Service) checkReportID(w http.ResponseWriter, id string) bool {
	if s.reports.issued(id) {
		return true
	}
	writeError(w, http.StatusNotFound, "no such report: open one with POST "+probeapi.PathOpenReport+" and submit to the report_id it returns")
	return false
}

// handleOpenReport is OONI's POST /report. Reports are not kept: a report
// id proves its origin (reportid.go), so any collector behind a load
// balancer with the same report key takes submissions for it.
func (s *Service) handleOpenReport(w http.ResponseWriter, r *http.Request) {
	if _, rej := s.admit(r, 1); rej != nil {
		writeRejection(w, rej)
		return
	}
	var req probeapi.OpenReportRequest
	if !s.readJSON(w, r, 64<<10, &req, "an open-report request", false) {
		return
	}
	switch {
	case req.Format != "" && req.Format != "json":
		writeError(w, http.StatusBadRequest, "format must be \"json\"")
	case !s.valid.known[req.TestName]:
		writeError(w, http.StatusBadRequest, "unknown test_name "+strconv.Quote(truncate(req.TestName, 64)))
	case !ccPattern.MatchString(req.ProbeCC):
		writeError(w, http.StatusBadRequest, "probe_cc must be two upper-case letters (ZZ when unknown)")
	case !asnPattern.MatchString(req.ProbeASN):
		writeError(w, http.StatusBadRequest, "probe_asn must be like AS12345 (AS0 when unknown)")
	default:
		writeJSON(w, http.StatusOK, probeapi.OpenReportResponse{
			BackendVersion:   "sonde-" + version.Version,
			ReportID:         s.newReportID(req.TestName, req.ProbeCC, req.ProbeASN),
			SupportedFormats: []string{"json"},
		})
	}
}

// handleCloseReport is OONI's POST /report/{report_id}/close.
func (s *Service) handleCloseReport(w http.ResponseWriter, r *http.Request) {
	if _, rej := s.admit(r, 1); rej != nil {
		writeRejection(w, rej)
		return
	}
	if !s.checkReportID(w, r.PathValue("report_id")) {
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}
