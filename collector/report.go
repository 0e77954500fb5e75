package collector

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"

	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/internal/version"
)

func itoa(n int) string { return strconv.Itoa(n) }

const reportAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newReportID makes an id in OONI's layout:
// 20240101T000000Z_webconnectivity_IT_30722_n1_<16 random letters>.
func (s *Service) newReportID(testName, cc, asn string) string {
	var b [16]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = reportAlphabet[int(b[i])%len(reportAlphabet)]
	}
	return s.now().UTC().Format("20060102T150405Z") + "_" + strings.ReplaceAll(testName, "_", "") + "_" +
		cc + "_" + strings.TrimPrefix(asn, "AS") + "_n1_" + string(b[:])
}

// handleOpenReport is OONI's POST /report. Reports are not kept: a report
// id is checked by its shape, so any collector behind a load balancer
// takes submissions for any report.
func (s *Service) handleOpenReport(w http.ResponseWriter, r *http.Request) {
	if _, rej := s.admit(r, 1); rej != nil {
		writeRejection(w, rej)
		return
	}
	var req probeapi.OpenReportRequest
	if !readJSON(w, r, 64<<10, &req, "an open-report request", false) {
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
	if !reportIDPattern.MatchString(r.PathValue("report_id")) {
		writeError(w, http.StatusBadRequest, "the report id in the URL is not letters, digits, _ . -")
		return
	}
	if _, rej := s.admit(r, 1); rej != nil {
		writeRejection(w, rej)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}
