package collector

import (
	"net/http"
	"net/http/pprof"
	"regexp"

	"github.com/sonde-project/sonde/internal/measurement"
)

// Admin API paths, served on admin.listen only.
const (
	PathAdminStatus = "/admin/status"
	PathAdminRevoke = "/admin/probes/{probe_id}/revoke"
)

var probeIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// AdminHandler is the operator's API (see AdminConfig). Every request
// needs the admin token; a wrong one costs the client's address from its
// failed-authentication budget like a wrong probe token does.
func (s *Service) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathAdminStatus, s.handleAdminStatus)
	mux.HandleFunc("POST "+PathAdminRevoke, s.handleAdminRevoke)
	if s.cfg.Admin.Pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such admin endpoint: "+PathAdminStatus+" and POST "+PathAdminRevoke)
	})
	authed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.adminAllowed(r) {
			if ok, wait := s.failedAuth.allow(s.ipKey(s.clientAddr(r)), 1); !ok {
				writeRejection(w, tooMany(wait))
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="sonde collector admin"`)
			writeError(w, http.StatusUnauthorized, "the admin API needs \"Authorization: Bearer <admin token>\"")
			return
		}
		mux.ServeHTTP(w, r)
	})
	return s.secure(s.instrument("admin", authed.ServeHTTP), false)
}

func (s *Service) adminAllowed(r *http.Request) bool {
	return s.cfg.Admin.TokenSHA256 != "" && bearerMatches(r, s.cfg.Admin.TokenSHA256)
}

// AdminStatus is the answer of GET /admin/status.
type AdminStatus struct {
	SpoolPendingBytes int64  `json:"spool_pending_bytes"`
	SpoolSegments     int    `json:"spool_segments"`
	Loaded            int64  `json:"loaded"`
	LoaderDuplicates  int64  `json:"loader_duplicates"`
	LoaderBatches     int64  `json:"loader_batches"`
	LoaderErrors      int64  `json:"loader_errors"`
	LoaderBadRecords  int64  `json:"loader_bad_records"`
	LoaderLastLoad    string `json:"loader_last_load,omitempty"`
	LoaderLastError   string `json:"loader_last_error,omitempty"`
	Stored            int64  `json:"stored"`
	Rejected          int64  `json:"rejected"`
	ProbesWithToken   int    `json:"probes_with_token"`
	Revocations       int    `json:"revocations"`
	UploadsInProgress int    `json:"uploads_in_progress"`
}

func (s *Service) handleAdminStatus(w http.ResponseWriter, r *http.Request) {
	st, ls := s.spool.Stats(), s.loader.Stats()
	active, revoked := s.tokens.counts()
	out := AdminStatus{
		SpoolPendingBytes: st.PendingBytes, SpoolSegments: st.Segments,
		Loaded: ls.Loaded, LoaderDuplicates: ls.Duplicates, LoaderBatches: ls.Batches,
		LoaderErrors: ls.Errors, LoaderBadRecords: ls.Bad, LoaderLastError: ls.LastError,
		Stored: s.met.stored.Load(), Rejected: s.met.rejected.Load(),
		ProbesWithToken: active, Revocations: revoked, UploadsInProgress: len(s.uploads),
	}
	if !ls.LastLoad.IsZero() {
		out.LoaderLastLoad = measurement.FormatTime(ls.LastLoad)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Service) handleAdminRevoke(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("probe_id")
	if !probeIDPattern.MatchString(id) {
		writeError(w, http.StatusBadRequest, "a probe id is 16 hex digits")
		return
	}
	ok, err := s.tokens.revoke(id, s.now())
	switch {
	case err != nil:
		s.log.Error("admin: could not save a revocation", "err", err)
		writeError(w, http.StatusInternalServerError, "the revocation could not be saved; the token still works")
	case !ok:
		writeError(w, http.StatusNotFound, "no probe "+id+" holds a token (unknown, or revoked already)")
	default:
		s.log.Info("admin: probe token revoked", "probe_id", id)
		writeJSON(w, http.StatusOK, map[string]string{"probe_id": id, "revoked": measurement.FormatTime(s.now())})
	}
}
