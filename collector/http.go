package collector

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/sonde-project/sonde/internal/probeapi"
)

type netPrefix = netip.Prefix

func parsePrefixes(list []string) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range list {
		if pr, err := netip.ParsePrefix(p); err == nil {
			out = append(out, pr.Masked())
		}
	}
	return out
}

func (s *Service) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern, route string, h http.HandlerFunc) {
		mux.Handle(pattern, s.instrument(route, h))
	}
	handle("POST "+probeapi.PathRegister, "register", s.handleRegister)
	handle("POST "+probeapi.PathCheckIn, "check-in", s.handleCheckIn)
	handle("POST "+probeapi.PathOpenReport, "report-open", s.handleOpenReport)
	handle("POST "+probeapi.PathSubmit, "report-submit", s.handleSubmit)
	handle("POST "+probeapi.PathCloseReport, "report-close", s.handleCloseReport)
	handle("POST "+probeapi.PathBatchSubmit, "batch-submit", s.handleBatch)
	handle("GET "+probeapi.PathHealth, "health", s.handleHealth)
	handle("GET "+probeapi.PathMetrics, "metrics", s.handleMetrics)
	if s.deps.ControlHelper != nil {
		th := s.instrument("control-helper", s.deps.ControlHelper.ServeHTTP)
		mux.Handle(s.cfg.controlHelperPath(), th)
		// OONI's probes post control requests to the helper's root.
		mux.Handle("POST /{$}", th)
	}
	if s.deps.Research != nil {
		s.deps.Research.Register(mux)
	}
	mux.Handle("/", s.instrument("not-found", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: see the collector's README for the API")
	}))
	return s.secure(mux, true)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts requests and logs them without addresses or tokens.
func (s *Service) instrument(route string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h(sw, r)
		status := cmpStatus(sw.status)
		s.met.request(route, status)
		if s.log.Enabled(r.Context(), slog.LevelDebug) {
			s.log.Debug("request", "route", route, "status", status, "duration", time.Since(start))
		}
	})
}

func cmpStatus(s int) int {
	if s == 0 {
		return http.StatusOK
	}
	return s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, reason string) {
	writeJSON(w, status, probeapi.Error{Error: reason})
}

func writeRejection(w http.ResponseWriter, r *Rejection) {
	if r.Status == http.StatusTooManyRequests && r.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((r.retryAfter+time.Second-1)/time.Second)))
	}
	writeError(w, r.Status, r.Reason)
}

// readJSON reads a body of at most limit bytes and decodes it into v
// (what names it in the error). An empty body leaves v as it is when
// allowEmpty. On failure it writes the answer and returns false.
func (s *Service) readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any, what string, allowEmpty bool) bool {
	body, release, rej := s.readBody(w, r, limit)
	if rej != nil {
		writeRejection(w, rej)
		return false
	}
	defer release()
	if len(body) == 0 && allowEmpty {
		return true
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeError(w, http.StatusBadRequest, "the body is not "+what+": "+jsonError(err))
		return false
	}
	return true
}

func jsonError(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return "invalid JSON at byte " + itoa(int(syn.Offset))
	}
	return truncate(err.Error(), 200)
}

// clientAddr is the address the request came from: the peer, or, when
// the peer is a trusted proxy, the last address in X-Forwarded-For that is
// not a trusted proxy.
func (s *Service) clientAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, _ := netip.ParseAddr(host)
	addr = addr.Unmap()
	if !s.trusted(addr) {
		return addr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !s.trusted(a) {
			return a
		}
	}
	return addr
}

func (s *Service) trusted(a netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ipKey is the rate-limit key of an address: a salted hash (the salt is
// random per process) of the address, or of its /64 for IPv6, so that the
// limiter never holds addresses.
func (s *Service) ipKey(a netip.Addr) string {
	if a.Is6() {
		if p, err := a.Prefix(64); err == nil {
			a = p.Addr()
		}
	}
	h := sha256.New()
	h.Write(s.ipSalt[:])
	h.Write(a.AsSlice())
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// authenticate returns the probe id of the request's token, "" for an
// anonymous request that the configuration allows, or a rejection.
func (s *Service) authenticate(r *http.Request) (string, *Rejection) {
	h := r.Header.Get(probeapi.AuthHeader)
	if h == "" {
		if s.cfg.Auth.AllowAnonymous {
			return "", nil
		}
		return "", reject(http.StatusUnauthorized, "this collector needs a probe token: register at "+probeapi.PathRegister+" and send \"Authorization: Bearer <token>\"")
	}
	token, ok := bearer(h)
	if !ok {
		return "", reject(http.StatusUnauthorized, "the Authorization header must be \"Bearer <token>\"")
	}
	id := s.tokens.probe(token)
	if id == "" {
		if ok, wait := s.failedAuth.allow(s.ipKey(s.clientAddr(r)), 1); !ok {
			s.met.rateLimited.Add(1)
			rej := reject(http.StatusTooManyRequests, "too many requests with unknown tokens from this address; retry in %s", wait.Round(time.Second))
			rej.retryAfter = wait
			return "", rej
		}
		return "", reject(http.StatusUnauthorized, "unknown or revoked probe token: register again at "+probeapi.PathRegister)
	}
	return id, nil
}

// admit authenticates and rate-limits a request that costs n.
func (s *Service) admit(r *http.Request, n int) (string, *Rejection) {
	ipKey := s.ipKey(s.clientAddr(r))
	if ok, wait := s.perIP.allow(ipKey, n); !ok {
		s.met.rateLimited.Add(1)
		return "", tooMany(wait)
	}
	probe, rej := s.authenticate(r)
	if rej != nil {
		return "", rej
	}
	if probe != "" {
		if ok, wait := s.perProbe.allow(probe, n); !ok {
			s.met.rateLimited.Add(1)
			return "", tooMany(wait)
		}
	}
	return probe, nil
}

func tooMany(wait time.Duration) *Rejection {
	r := reject(http.StatusTooManyRequests, "too many requests from this probe or address; retry in %s", wait.Round(time.Second))
	r.retryAfter = wait
	return r
}

// metricsAllowed checks the metrics token, when one is configured.
func (s *Service) metricsAllowed(r *http.Request) bool {
	switch {
	case s.cfg.Auth.MetricsToken != "":
		want := sha256.Sum256([]byte(s.cfg.Auth.MetricsToken))
		return bearerMatches(r, hex.EncodeToString(want[:]))
	case s.cfg.Auth.MetricsTokenSHA256 != "":
		return bearerMatches(r, s.cfg.Auth.MetricsTokenSHA256)
	}
	return true
}

// bearerMatches reports whether the request's bearer token has the
// SHA-256 wantHex, comparing in constant time.
func bearerMatches(r *http.Request, wantHex string) bool {
	got, ok := bearer(r.Header.Get(probeapi.AuthHeader))
	if !ok || got == "" {
		return false
	}
	sum := sha256.Sum256([]byte(got))
	want, err := hex.DecodeString(wantHex)
	return err == nil && subtle.ConstantTimeCompare(sum[:], want) == 1
}
