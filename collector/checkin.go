package collector

import (
	"context"
	"net/http"
	"strings"

	"github.com/sonde-project/sonde/collector/geoip"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/probeapi"
)

// Targets hands out what a probe should measure (testlists implements
// it).
type Targets interface {
	Targets(ctx context.Context, q TargetQuery) ([]probeapi.CheckInTarget, error)
}

// TargetQuery describes the probe asking.
type TargetQuery struct {
	Test string // test_name
	CC   string // the probe's country
	ASN  uint32 // the probe's network
	// Categories restricts to these Citizen Lab category codes; OptOut
	// removes these. Either may be empty.
	Categories, OptOut []string
	// Max bounds the number of targets.
	Max int
}

// handleRegister gives a new probe its id and token.
func (s *Service) handleRegister(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Auth.DisableRegistration {
		writeError(w, http.StatusForbidden, "this collector does not register new probes; ask its operator for a token")
		return
	}
	if ok, wait := s.registerPerIP.allow(s.ipKey(s.clientAddr(r)), 1); !ok {
		s.met.rateLimited.Add(1)
		writeRejection(w, tooMany(wait))
		return
	}
	var req probeapi.RegisterRequest
	if !readJSON(w, r, 16<<10, &req, "a registration request", true) {
		return
	}
	id, token, err := s.tokens.register(s.now())
	if err != nil {
		s.log.Error("register: could not save the registration", "err", err)
		writeError(w, http.StatusInternalServerError, "the collector could not save the registration; retry later")
		return
	}
	s.log.Info("probe registered", "probe_id", id, "software", truncate(strings.TrimSpace(req.SoftwareName+" "+req.SoftwareVersion), 64))
	writeJSON(w, http.StatusOK, probeapi.RegisterResponse{ProbeID: id, Token: token})
}

// handleCheckIn tells the probe where it is and what to measure.
func (s *Service) handleCheckIn(w http.ResponseWriter, r *http.Request) {
	if _, rej := s.admit(r, 1); rej != nil {
		writeRejection(w, rej)
		return
	}
	var req probeapi.CheckInRequest
	if !readJSON(w, r, 64<<10, &req, "a check-in request", true) {
		return
	}
	addr := s.clientAddr(r)
	loc := s.geo.Lookup(addr)
	// The collector's view wins; the probe's claim fills what it lacks.
	if loc.CC == geoip.UnknownCC && ccPattern.MatchString(req.ProbeCC) {
		loc.CC = req.ProbeCC
	}
	if loc.ASN == geoip.UnknownASN && asnPattern.MatchString(req.ProbeASN) {
		loc.ASN = parseASN(req.ProbeASN)
	}
	maxTargets := s.cfg.CheckIn.MaxTargets
	if maxTargets == 0 {
		maxTargets = 100
	}
	if req.MaxTargets > 0 && req.MaxTargets < maxTargets {
		maxTargets = req.MaxTargets
	}
	resp := probeapi.CheckInResponse{
		V:                1,
		ProbeCC:          loc.CC,
		ProbeASN:         loc.ASNString(),
		ProbeNetworkName: loc.NetworkName,
		ProbeIP:          addr.String(),
		Tests:            map[string]probeapi.CheckInTest{},
		Conf:             probeapi.CheckInConf{TestHelpers: map[string][]probeapi.TestHelper{}, Collector: s.cfg.PublicURL},
		UTCTime:          s.now().UTC().Format("2006-01-02T15:04:05Z"),
	}
	if helper := s.controlHelperURL(); helper != "" {
		resp.Conf.TestHelpers["web-connectivity"] = []probeapi.TestHelper{{Address: helper, Type: "https"}}
	}
	for _, test := range s.cfg.checkInTests() {
		t := probeapi.CheckInTest{ReportID: s.newReportID(test, loc.CC, loc.ASNString()), URLs: []probeapi.CheckInTarget{}}
		if s.deps.Targets != nil {
			q := TargetQuery{Test: test, CC: loc.CC, ASN: loc.ASN, OptOut: req.CategoriesOptOut, Max: maxTargets}
			if req.WebConnectivity != nil {
				q.Categories = req.WebConnectivity.CategoryCodes
			}
			urls, err := s.deps.Targets.Targets(r.Context(), q)
			if err != nil {
				s.log.Warn("check-in: no targets", "test", test, "probe_cc", loc.CC, "err", err)
			}
			if len(urls) > maxTargets {
				urls = urls[:maxTargets]
			}
			if urls != nil {
				t.URLs = urls
			}
		}
		resp.Tests[test] = t
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Service) controlHelperURL() string {
	if s.cfg.ControlHelper.URL != "" {
		return s.cfg.ControlHelper.URL
	}
	if s.deps.ControlHelper != nil && s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/") + s.cfg.controlHelperPath()
	}
	return ""
}

func parseASN(s string) uint32 {
	var n uint64
	for _, c := range strings.TrimPrefix(s, "AS") {
		n = n*10 + uint64(c-'0')
		if n > 1<<32-1 {
			return 0
		}
	}
	return uint32(n)
}

// handleHealth says whether the collector takes uploads and how the
// loader is doing.
func (s *Service) handleHealth(w http.ResponseWriter, r *http.Request) {
	st := s.spool.Stats()
	ls := s.loader.Stats()
	h := map[string]any{
		"status":              "ok",
		"spool_pending_bytes": st.PendingBytes,
		"spool_segments":      st.Segments,
		"loaded":              ls.Loaded,
		"loader_errors":       ls.Errors,
	}
	if !ls.LastLoad.IsZero() {
		h["last_load"] = measurement.FormatTime(ls.LastLoad)
	}
	if ls.LastError != "" {
		h["loader_last_error"] = ls.LastError
	}
	writeJSON(w, http.StatusOK, h)
}

func (s *Service) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if !s.metricsAllowed(r) {
		writeError(w, http.StatusUnauthorized, "metrics need \"Authorization: Bearer <metrics_token>\"")
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	s.met.write(w, s)
}
